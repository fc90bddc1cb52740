/**
 * Maintenance mode: every VM running on the host moves by live migration to the host that keeps the
 * cluster's imbalance lowest among those the placement filters accept (mandatory moves, whatever the
 * automation level: the operator asked for it). If any VM cannot move (pinned, a mandatory rule, no
 * capacity, storage the other hosts do not mount), nothing moves and the request fails with each VM
 * and why. The host is enteringMaintenance until the migrations land (host-evacuation.ts); live
 * migrations on their way to it are called off, the VMs staying where they run.
 */
import { startContainerEvacuation } from "../containers/evacuation";
import { refuse } from "../kernel/errors";
import { type ClusterRecord, type HostRecord, type VmRecord, compareNames } from "../kernel/model";
import { MAINTENANCE_RETRY_TASK, type TimerTaskHandler, schedule } from "../kernel/timers";
import type { Txn } from "../kernel/txn";
import { abortMigration } from "../vms/vm-moves";
import { applyMoves } from "./pass";
import { planEvacuation } from "./plan";
import { ClusterSnapshot } from "./snapshot";

const reasonFor = (host: string) => `mandatory: host ${host} is entering maintenance mode`;

/** Live migrations heading for the host that may be called off: not those of a VM pinned there (a changed pin), which block maintenance. */
function callableOff(txn: Txn, host: string): string[] {
  return txn
    .relatedObjects<VmRecord>("vmsMigratingTo", host)
    .flatMap((vm) => (vm.status.migration!.kind === "live" && vm.spec.host !== host ? [vm.name] : []));
}

/**
 * Starts evacuating a connected host of a cluster for maintenance and returns the event message, or
 * undefined when no VM runs there (the host enters maintenance at once).
 */
export function evacuateForMaintenance(txn: Txn, hostName: string): string | undefined {
  const running = txn.related("vmsOnHost", hostName);
  const arriving = txn.related("vmsMigratingTo", hostName);
  if (running.length === 0 && arriving.length === 0) return undefined;
  const host = txn.get<HostRecord>("Host", hostName)!;
  const subject = { kind: "Host", name: hostName, field: "maintenance" };
  if (host.spec.cluster === undefined) {
    refuse(
      "Conflict",
      subject,
      `a standalone host has no other host to evacuate its ${running.length} running VM(s) to; power them off first`,
      running,
    );
  }
  // Called off first, so that the plan sees those VMs where they stay; a refusal below undoes it with the rest.
  const abandoned = callableOff(txn, hostName);
  for (const vm of abandoned) abortMigration(txn, vm, `its target ${hostName} is entering maintenance mode`);
  const cluster = txn.get<ClusterRecord>("Cluster", host.spec.cluster)!;
  const snap = new ClusterSnapshot(txn, cluster.name);
  const index = snap.hostIndex.get(hostName)!;
  const considered = snap.vmsOn[index].length;
  const plan = planEvacuation(snap, index, reasonFor(hostName));
  if (plan.failures.length > 0) {
    refuse(
      "Conflict",
      subject,
      `${plan.failures.length} of ${considered} running VMs cannot be evacuated, so no VM was moved and the host stays ${host.status.state}`,
      plan.failures,
    );
  }
  applyMoves(txn, plan.moves, cluster.spec.drs.vmCooldownSeconds);
  const called = abandoned.length > 0 ? `; ${abandoned.length} migration(s) on their way here called off (${abandoned.join(", ")})` : "";
  const away = running.length - plan.moves.length;
  return `evacuating ${running.length} VM(s): ${plan.moves.length} live migration(s) started${away > 0 ? `, ${away} already migrating away` : ""}${called}; the host enters maintenance mode when they land`;
}

/** The host of a retry timer while it still waits to enter maintenance. */
function waitingHost(txn: Txn, name: string): HostRecord | undefined {
  const host = txn.get<HostRecord>("Host", name);
  return host && host.status.state === "enteringMaintenance" && host.spec.cluster !== undefined ? host : undefined;
}

function retryAfterInterval(txn: Txn, host: HostRecord): number {
  const retryAt = txn.clockSeconds + txn.get<ClusterRecord>("Cluster", host.spec.cluster!)!.spec.drs.intervalSeconds;
  schedule(txn, retryAt, MAINTENANCE_RETRY_TASK, { kind: "Host", name: host.name });
  return retryAt;
}

/**
 * A VM or container left on a host entering maintenance (its move was abandoned) is evacuated again; if it
 * cannot move now the host says why and tries again after a DRS interval.
 */
function retryEvacuation(txn: Txn, name: string): void {
  const host = waitingHost(txn, name);
  if (!host) return;
  const cluster = txn.get<ClusterRecord>("Cluster", host.spec.cluster!)!;
  const snap = new ClusterSnapshot(txn, cluster.name);
  const plan = planEvacuation(snap, snap.hostIndex.get(host.name)!, reasonFor(host.name));
  applyMoves(txn, plan.moves, cluster.spec.drs.vmCooldownSeconds);
  const failures = [...plan.failures, ...startContainerEvacuation(txn, host.name)];
  if (failures.length === 0) return;
  const retryAt = retryAfterInterval(txn, host);
  txn.emit(
    "Host",
    host.name,
    "MaintenanceStalled",
    `${failures.length} VM(s) or container(s) cannot leave now, so the host stays enteringMaintenance and tries again at t=${retryAt} s: ${failures.sort(compareNames).join("; ")}`,
  );
}

export const maintenanceRetryTimer: TimerTaskHandler = {
  run: (txn, timer) => retryEvacuation(txn, timer.name),
  // A retry that failed is tried again an interval later, like one that could not move everything.
  recover: (txn, timer) => {
    const host = waitingHost(txn, timer.name);
    if (host) retryAfterInterval(txn, host);
  },
};
