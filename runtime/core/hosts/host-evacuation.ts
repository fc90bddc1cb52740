/**
 * A host leaving service (maintenance mode, or DPM's standby) takes as long as its evacuation: it is
 * `enteringMaintenance` / `enteringStandby` (no new VM lands there) while its VMs migrate away, and
 * reports `maintenance` / `standby`, with MaintenanceEntered / StandbyEntered, once the last one has
 * left or was powered off; a container host's containers move away likewise (containers/evacuation.ts).
 * DRS plans the evacuations (drs/maintenance.ts, drs/dpm.ts). When a migration away is abandoned, maintenance tries again (the retry task, drs/maintenance.ts) and
 * standby is called off: DPM decides again at its next pass.
 */
import { setHostState } from "./host-state";
import { CONTAINER_TECHNOLOGIES, type ContainerTechnology } from "../migration/container-move-model";
import type { ContainerRecord, HostRecord, VmRecord } from "../kernel/model";
import { MAINTENANCE_RETRY_TASK, schedule } from "../kernel/timers";
import type { Txn } from "../kernel/txn";

export type Leaving = "enteringMaintenance" | "enteringStandby";

const ARRIVAL = {
  enteringMaintenance: { state: "maintenance", reason: "MaintenanceEntered", text: "host entered maintenance mode" },
  enteringStandby: { state: "standby", reason: "StandbyEntered", text: "powered down to standby" },
} as const;

export function isLeaving(state: HostRecord["status"]["state"]): state is Leaving {
  return state === "enteringMaintenance" || state === "enteringStandby";
}

/** Completes an evacuation that has emptied the host, or deals with VMs no migration is taking away. */
export function settleEvacuation(txn: Txn, hostName: string): void {
  const host = txn.get<HostRecord>("Host", hostName);
  if (!host || !isLeaving(host.status.state)) return;
  const leaving = host.status.state;
  const staying = [
    ...txn.relatedObjects<VmRecord>("vmsOnHost", hostName),
    ...txn.relatedObjects<ContainerRecord>("containersOnHost", hostName),
  ];
  if (staying.length === 0) {
    const arrival = ARRIVAL[leaving];
    setHostState(txn, host, arrival.state, {
      reason: arrival.reason,
      message: `${arrival.text}: its last ${CONTAINER_TECHNOLOGIES.includes(host.spec.hypervisor as ContainerTechnology) ? "container" : "VM"} has left`,
    });
    return;
  }
  const stranded = staying.filter((o) => o.status.migration === null).map((o) => o.name);
  if (stranded.length === 0) return;
  if (leaving === "enteringStandby") {
    setHostState(txn, host, "connected", {
      reason: "StandbyCancelled",
      message: `${stranded.join(", ")} could not leave (migration abandoned): the host stays on; DPM decides again at its next pass`,
    });
    return;
  }
  if (!txn.pendingTimers.some((t) => t.task === MAINTENANCE_RETRY_TASK && t.name === hostName)) {
    schedule(txn, txn.clockSeconds, MAINTENANCE_RETRY_TASK, { kind: "Host", name: hostName });
  }
}
