/** Host: a physical server running one hypervisor, standalone or in a cluster. */
import { HostSpec, type HostState, hypervisorVersionOf } from "../../../schema/host";
import { assertClusterCovers, refreshCluster } from "../allocation/accounting";
import { incompatibilities } from "../guests/guest-compatibility";
import { evacuateContainers } from "../containers/evacuation";
import { checkRunningContainers } from "../containers/host-change";
import { evacuateForMaintenance } from "../drs/maintenance";
import { refuse } from "../kernel/errors";
import { syncFailoverHostFlag } from "../ha/failover-host-marks";
import { reconcileHaRestarts } from "../ha/restarts";
import { evcObstacles } from "../cpu/evc";
import type { ClusterRecord, HostRecord, RuleRecord, StoredHostStatus, VmRecord } from "../kernel/model";
import { checkHostMounts } from "../hosts/datastore-mounts";
import { nextHostState } from "../hosts/host-state";
import type { Txn } from "../kernel/txn";
import { vmsOnOrMigratingTo } from "../vms/vm-moves";
import { refuseIfDependents, requireExisting, requireReference } from "./common";
import { defineKind } from "./define-kind";

export function hostCapacity(spec: HostSpec): { cpuMhz: number; memoryMb: number } {
  return { cpuMhz: spec.cpu.sockets * spec.cpu.coresPerSocket * spec.cpu.mhz, memoryMb: spec.memoryMb };
}

/** A host's reservations, usage, entitlements and commitments with no guest on it. */
export const NO_GUEST_LOAD = {
  cpuReservedMhz: 0,
  memoryReservedMb: 0,
  cpuUsedMhz: 0,
  memoryUsedMb: 0,
  cpuEntitlementMhz: 0,
  memoryEntitlementMb: 0,
  vcpusCommitted: 0,
  memoryCommittedMb: 0,
} as const;

/** The status of a host before its capacity and the VMs on it are counted. */
export function emptyHostStatus(generation: number, spec: HostSpec): StoredHostStatus {
  return {
    observedGeneration: generation,
    state: "connected",
    hypervisorVersion: hypervisorVersionOf(spec),
    cpuCapacityMhz: 0,
    memoryCapacityMb: 0,
    ...NO_GUEST_LOAD,
    haFailoverHost: false,
  };
}

/**
 * The state the spec asks for; failures and standby are facts the spec does not override. A host
 * whose VMs are migrating away for maintenance stays enteringMaintenance until they land, unless
 * maintenance is called off.
 */
function nextState(spec: HostSpec, current: HostState | undefined, evacuating: boolean): HostState {
  if (current === "failed" || current === "isolated" || current === "standby" || current === "enteringStandby") return current;
  if (!spec.maintenance) return "connected";
  return evacuating || current === "enteringMaintenance" ? "enteringMaintenance" : "maintenance";
}

/** What an evacuation for maintenance has set going, VMs' and containers'. */
function leavingText(vms: string | undefined, containers: number): string {
  const moving = containers > 0 ? `${containers} container move(s) under way` : undefined;
  if (vms === undefined) return `evacuating: ${moving}; the host enters maintenance mode when they land`;
  return moving ? `${vms}; ${moving}` : vms;
}

/** A changed host must still suit the VMs running on it and those migrating onto it. */
function checkRunningVms(txn: Txn, name: string, spec: HostSpec, status: StoredHostStatus): void {
  const running = vmsOnOrMigratingTo(txn, name);
  if (running.length === 0) return;
  const subject = { kind: "Host", name };
  const capacity = hostCapacity(spec);
  if (capacity.cpuMhz < status.cpuReservedMhz) {
    refuse(
      "InsufficientCapacity",
      { ...subject, field: "cpu" },
      `running VMs reserve ${status.cpuReservedMhz} MHz; the new capacity is ${capacity.cpuMhz} MHz`,
    );
  }
  if (capacity.memoryMb < status.memoryReservedMb) {
    refuse(
      "InsufficientCapacity",
      { ...subject, field: "memoryMb" },
      `running VMs reserve ${status.memoryReservedMb} MB; the new capacity is ${capacity.memoryMb} MB`,
    );
  }
  const broken = running.flatMap((vm) => {
    const problems = incompatibilities(spec, txn.get<VmRecord>("VirtualMachine", vm)!.spec);
    return problems.length === 0 ? [] : [`${vm}: ${problems.join("; ")}`];
  });
  if (broken.length > 0) refuse("Incompatible", subject, "the change would leave running VMs unable to run here", broken);
}

/** A host joins a cluster with EVC only if its CPU meets the baseline (VMware KB 1003212). */
function checkEvcBaseline(txn: Txn, name: string, spec: HostSpec): void {
  const mode = spec.cluster === undefined ? undefined : txn.get<ClusterRecord>("Cluster", spec.cluster)?.spec.evc?.mode;
  const why = mode === undefined ? [] : evcObstacles(mode, spec);
  if (why.length > 0)
    refuse(
      "Incompatible",
      { kind: "Host", name, field: "cpu" },
      `cannot run in cluster ${spec.cluster} under its EVC baseline: ${why.join("; ")}`,
    );
}

export const hostHandler = defineKind<HostSpec, HostRecord>({
  kind: "Host",
  schema: HostSpec,
  resolve(txn, name, spec) {
    if (spec.cluster !== undefined) requireReference(txn, { kind: "Host", name, field: "cluster" }, "Cluster", spec.cluster);
  },
  write(txn, { name, spec, existing, generation, announce }) {
    checkEvcBaseline(txn, name, spec);

    const running = txn.related("vmsOnHost", name);
    if (existing && existing.spec.cluster !== spec.cluster && running.length > 0) {
      refuse(
        "Conflict",
        { kind: "Host", name, field: "cluster" },
        "VMs still run on the host; move them before changing its cluster",
        running,
      );
    }
    const entering = existing !== undefined && spec.maintenance && existing.status.state === "connected";
    const evacuation = entering ? evacuateForMaintenance(txn, name) : undefined;
    const containersLeaving = entering ? evacuateContainers(txn, name) : 0;
    // The evacuation charged the targets and took back what VMs migrating here held: read the host again.
    const previous = txn.get<HostRecord>("Host", name)?.status ?? emptyHostStatus(generation, spec);
    checkRunningVms(txn, name, spec, previous);
    checkRunningContainers(txn, name, spec);
    checkHostMounts(txn, name, spec, existing?.spec);

    const capacity = hostCapacity(spec);
    const state = nextHostState(
      name,
      existing?.status.state,
      nextState(spec, existing?.status.state, evacuation !== undefined || containersLeaving > 0),
    );
    const status: StoredHostStatus = {
      ...previous,
      observedGeneration: generation,
      state,
      hypervisorVersion: hypervisorVersionOf(spec),
      cpuCapacityMhz: capacity.cpuMhz,
      memoryCapacityMb: capacity.memoryMb,
    };
    txn.put<HostRecord>({ kind: "Host", name, spec, status, generation });
    syncFailoverHostFlag(txn, name);
    // Its capacity may have changed, or its evacuation may be complete already: settled at the step's end.
    txn.markUnsettled(name);

    announce(
      `${spec.hypervisor} ${hypervisorVersionOf(spec)} host with ${capacity.cpuMhz} MHz and ${capacity.memoryMb} MB${spec.cluster ? ` joined cluster ${spec.cluster}` : " (standalone)"}`,
    );
    if (state !== existing?.status.state && existing) {
      if (state === "enteringMaintenance" && entering)
        txn.emit("Host", name, "EnteringMaintenance", leavingText(evacuation, containersLeaving));
      if (state === "maintenance")
        txn.emit("Host", name, "MaintenanceEntered", "host entered maintenance mode: no VM or container ran on it");
      if (existing.status.state === "maintenance") txn.emit("Host", name, "MaintenanceExited", "host left maintenance mode");
      if (existing.status.state === "enteringMaintenance")
        txn.emit(
          "Host",
          name,
          "MaintenanceCancelled",
          "maintenance mode called off: migrations already under way still land; the host takes VMs again",
        );
    }

    const clusters = new Set([existing?.spec.cluster, spec.cluster].filter((c): c is string => c !== undefined));
    for (const c of clusters) {
      refreshCluster(txn, c);
      assertClusterCovers(txn, c, { kind: "Host", name });
      reconcileHaRestarts(txn, c);
    }
  },

  delete(txn, name) {
    const host = requireExisting<HostRecord>(txn, "Host", name);
    const running = txn.related("vmsOnHost", name);
    refuseIfDependents("Host", name, [
      ...running.map((vm) => `VirtualMachine ${vm} (running)`),
      ...txn.related("vmsMigratingTo", name).map((vm) => `VirtualMachine ${vm} (migrating here)`),
      ...txn
        .related("vmsPinnedTo", name)
        .filter((vm) => !running.includes(vm))
        .map((vm) => `VirtualMachine ${vm} (pinned)`),
      ...txn.related("containersOnHost", name).map((c) => `Container ${c} (running)`),
      ...txn.related("containersMigratingTo", name).map((c) => `Container ${c} (moving here)`),
      ...txn
        .related("containersPinnedTo", name)
        .filter((c) => !txn.related("containersOnHost", name).includes(c))
        .map((c) => `Container ${c} (pinned)`),
      ...(host.spec.cluster === undefined
        ? []
        : txn
            .relatedObjects<RuleRecord>("rulesInCluster", host.spec.cluster)
            .filter((r) => r.spec.hosts.includes(name))
            .map((r) => `Rule ${r.name}`)),
    ]);
    txn.remove("Host", name);
    txn.emit("Host", name, "Deleted", "host removed");
    if (host.spec.cluster !== undefined) {
      refreshCluster(txn, host.spec.cluster);
      assertClusterCovers(txn, host.spec.cluster, { kind: "Host", name });
    }
  },
});
