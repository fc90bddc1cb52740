/** Cluster: a set of hosts that DRS and HA manage as one, and the root of its resource-pool tree. */
import { ClusterSpec, ClusterStatus } from "../../../schema/cluster";
import { refreshCluster } from "../accounting";
import type { ClusterObject, PoolObject, VmObject } from "../model";
import { KindHandler, describeChanges, guardMode, parseSpec, refuseIfDependents, requireExisting, sameSpec } from "./common";

function emptyStatus(generation: number): ClusterStatus {
  return {
    observedGeneration: generation,
    hosts: [],
    cpuCapacityMhz: 0,
    memoryCapacityMb: 0,
    cpuReservationUsedMhz: 0,
    memoryReservationUsedMb: 0,
    cpuUnreservedMhz: 0,
    memoryUnreservedMb: 0,
  };
}

export const clusterHandler: KindHandler = {
  apply(txn, name, raw, mode) {
    const spec = parseSpec("Cluster", name, ClusterSpec, raw);
    const existing = txn.get<ClusterObject>("Cluster", name);
    guardMode("Cluster", name, existing, mode);
    if (existing && sameSpec(existing.spec, spec)) return existing;

    if (!existing) {
      txn.put<ClusterObject>({ kind: "Cluster", name, spec, status: emptyStatus(1), generation: 1 });
      txn.emit("Cluster", name, "Created", `cluster created (DRS ${spec.drs.enabled ? spec.drs.automationLevel : "off"}, HA ${spec.ha.enabled ? "on" : "off"})`);
    } else {
      const generation = existing.generation + 1;
      txn.put<ClusterObject>({ ...existing, spec, generation, status: { ...existing.status, observedGeneration: generation } });
      txn.emit("Cluster", name, "Updated", describeChanges(existing.spec, spec).join("; "));
    }
    refreshCluster(txn, name);
    return txn.get<ClusterObject>("Cluster", name)!;
  },

  delete(txn, name) {
    const cluster = requireExisting<ClusterObject>(txn, "Cluster", name);
    refuseIfDependents("Cluster", name, [
      ...cluster.status.hosts.map((h) => `Host ${h}`),
      ...txn.list<PoolObject>("ResourcePool").filter((p) => p.spec.cluster === name).map((p) => `ResourcePool ${p.name}`),
      ...txn.list<VmObject>("VirtualMachine").filter((v) => v.spec.cluster === name).map((v) => `VirtualMachine ${v.name}`),
    ]);
    txn.remove("Cluster", name);
    txn.emit("Cluster", name, "Deleted", "cluster deleted");
  },
};
