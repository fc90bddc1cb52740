/** Host: a physical server running one hypervisor, standalone or in a cluster. */
import { HostSpec, HostState, HostStatus } from "../../../schema/host";
import { assertClusterCovers, refreshCluster } from "../accounting";
import { incompatibilities } from "../compatibility";
import { refuse } from "../errors";
import type { HostObject, VmObject } from "../model";
import type { Txn } from "../txn";
import { KindHandler, describeChanges, guardMode, parseSpec, refuseIfDependents, requireExisting, requireReference, sameSpec } from "./common";

export function hostCapacity(spec: HostSpec): { cpuMhz: number; memoryMb: number } {
  return { cpuMhz: spec.cpu.sockets * spec.cpu.coresPerSocket * spec.cpu.mhz, memoryMb: spec.memoryMb };
}

function emptyStatus(generation: number): HostStatus {
  return {
    observedGeneration: generation,
    state: "connected",
    cpuCapacityMhz: 0,
    memoryCapacityMb: 0,
    cpuReservedMhz: 0,
    memoryReservedMb: 0,
    cpuUsedMhz: 0,
    memoryUsedMb: 0,
    vcpusCommitted: 0,
    memoryCommittedMb: 0,
    vms: [],
    containers: [],
  };
}

/** The state the spec asks for; failures and standby are facts the spec does not override. */
function nextState(spec: HostSpec, current: HostState | undefined): HostState {
  if (current === "failed" || current === "isolated" || current === "standby") return current;
  return spec.maintenance ? "maintenance" : "connected";
}

/** A changed host must still suit the VMs running on it. */
function checkRunningVms(txn: Txn, name: string, spec: HostSpec, status: HostStatus): void {
  if (status.vms.length === 0) return;
  const subject = { kind: "Host", name };
  if (spec.maintenance && status.state !== "maintenance") {
    refuse("Conflict", { ...subject, field: "maintenance" }, "VMs still run on the host; power them off or move them first", status.vms);
  }
  const capacity = hostCapacity(spec);
  if (capacity.cpuMhz < status.cpuReservedMhz) {
    refuse("InsufficientCapacity", { ...subject, field: "cpu" }, `running VMs reserve ${status.cpuReservedMhz} MHz; the new capacity is ${capacity.cpuMhz} MHz`);
  }
  if (capacity.memoryMb < status.memoryReservedMb) {
    refuse("InsufficientCapacity", { ...subject, field: "memoryMb" }, `running VMs reserve ${status.memoryReservedMb} MB; the new capacity is ${capacity.memoryMb} MB`);
  }
  const broken = status.vms.flatMap((vm) => {
    const problems = incompatibilities(spec, txn.get<VmObject>("VirtualMachine", vm)!.spec);
    return problems.length === 0 ? [] : [`${vm}: ${problems.join("; ")}`];
  });
  if (broken.length > 0) refuse("Incompatible", subject, "the change would leave running VMs unable to run here", broken);
}

export const hostHandler: KindHandler = {
  apply(txn, name, raw, mode) {
    const spec = parseSpec("Host", name, HostSpec, raw);
    const existing = txn.get<HostObject>("Host", name);
    guardMode("Host", name, existing, mode);
    if (spec.cluster !== undefined) requireReference(txn, { kind: "Host", name, field: "cluster" }, "Cluster", spec.cluster);
    if (existing && sameSpec(existing.spec, spec)) return existing;

    const generation = existing ? existing.generation + 1 : 1;
    const previous = existing?.status ?? emptyStatus(generation);
    if (existing && existing.spec.cluster !== spec.cluster && previous.vms.length > 0) {
      refuse("Conflict", { kind: "Host", name, field: "cluster" }, "VMs still run on the host; move them before changing its cluster", previous.vms);
    }
    checkRunningVms(txn, name, spec, previous);

    const capacity = hostCapacity(spec);
    const state = nextState(spec, existing?.status.state);
    const status: HostStatus = { ...previous, observedGeneration: generation, state, cpuCapacityMhz: capacity.cpuMhz, memoryCapacityMb: capacity.memoryMb };
    txn.put<HostObject>({ kind: "Host", name, spec, status, generation });

    if (!existing) {
      txn.emit("Host", name, "Created", `${spec.hypervisor} host with ${capacity.cpuMhz} MHz and ${capacity.memoryMb} MB${spec.cluster ? ` joined cluster ${spec.cluster}` : " (standalone)"}`);
    } else {
      txn.emit("Host", name, "Updated", describeChanges(existing.spec, spec).join("; "));
    }
    if (state !== existing?.status.state && existing) {
      if (state === "maintenance") txn.emit("Host", name, "MaintenanceEntered", "host entered maintenance mode");
      if (existing.status.state === "maintenance") txn.emit("Host", name, "MaintenanceExited", "host left maintenance mode");
    }

    const clusters = new Set([existing?.spec.cluster, spec.cluster].filter((c): c is string => c !== undefined));
    for (const c of clusters) {
      refreshCluster(txn, c);
      assertClusterCovers(txn, c, { kind: "Host", name });
    }
    return txn.get<HostObject>("Host", name)!;
  },

  delete(txn, name) {
    const host = requireExisting<HostObject>(txn, "Host", name);
    refuseIfDependents("Host", name, [
      ...host.status.vms.map((vm) => `VirtualMachine ${vm} (running)`),
      ...txn.list<VmObject>("VirtualMachine").filter((vm) => vm.spec.host === name && vm.status.currentHost !== name).map((vm) => `VirtualMachine ${vm.name} (pinned)`),
    ]);
    txn.remove("Host", name);
    txn.emit("Host", name, "Deleted", "host removed");
    if (host.spec.cluster !== undefined) {
      refreshCluster(txn, host.spec.cluster);
      assertClusterCovers(txn, host.spec.cluster, { kind: "Host", name });
    }
  },
};
