/** Cluster: a set of hosts that DRS and HA manage as one, and the root of its resource-pool tree. */
import { ClusterSpec } from "../../../schema/cluster";
import { refreshCluster } from "../allocation/accounting";
import { cancelDrsPass, emptyDrsStatus, ensureDrsPass } from "../drs/pass";
import { syncFailoverHostFlags } from "../ha/failover-host-marks";
import { reconcileHaRestarts } from "../ha/restarts";
import { evcObstacles } from "../cpu/evc";
import { refuse } from "../kernel/errors";
import { forgetHistory } from "../history/record";
import type { ClusterRecord, HostRecord, StoredClusterStatus } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { refuseIfDependents, requireExisting } from "./common";
import { defineKind } from "./define-kind";

function emptyStatus(generation: number): StoredClusterStatus {
  return {
    observedGeneration: generation,
    cpuCapacityMhz: 0,
    memoryCapacityMb: 0,
    cpuReservationUsedMhz: 0,
    memoryReservationUsedMb: 0,
    cpuUnreservedMhz: 0,
    memoryUnreservedMb: 0,
    drs: emptyDrsStatus(),
  };
}

/** An EVC baseline every host of the cluster meets, or a refusal naming each host and what it lacks (VMware KB 1003212). */
function checkEvcBaseline(txn: Txn, name: string, spec: ClusterSpec): void {
  const mode = spec.evc?.mode;
  if (mode === undefined) return;
  const below = txn
    .relatedObjects<HostRecord>("hostsInCluster", name)
    .flatMap((h) => evcObstacles(mode, h.spec).map((why) => `${h.name}: ${why}`));
  if (below.length > 0)
    refuse(
      "Incompatible",
      { kind: "Cluster", name, field: "evc.mode" },
      `${below.length} host(s) cannot run under EVC mode ${mode}`,
      below.slice(0, 16),
    );
}

export const clusterHandler = defineKind<ClusterSpec, ClusterRecord>({
  kind: "Cluster",
  schema: ClusterSpec,
  write(txn, { name, spec, existing, generation, announce }) {
    checkEvcBaseline(txn, name, spec);

    ensureDrsPass(txn, name, spec.drs.intervalSeconds, existing?.spec.drs?.intervalSeconds);
    txn.put<ClusterRecord>(
      existing
        ? { ...existing, spec, generation, status: { ...existing.status, observedGeneration: generation } }
        : { kind: "Cluster", name, spec, status: emptyStatus(generation), generation },
    );
    announce(`cluster created (DRS ${spec.drs.enabled ? spec.drs.automationLevel : "off"}, HA ${spec.ha.enabled ? "on" : "off"})`);
    refreshCluster(txn, name);
    syncFailoverHostFlags(txn, name);
    reconcileHaRestarts(txn, name);
  },

  delete(txn, name) {
    requireExisting<ClusterRecord>(txn, "Cluster", name);
    refuseIfDependents("Cluster", name, [
      ...txn.related("hostsInCluster", name).map((h) => `Host ${h}`),
      ...txn.related("poolsInCluster", name).map((p) => `ResourcePool ${p}`),
      ...txn.related("vmsInCluster", name).map((v) => `VirtualMachine ${v}`),
    ]);
    txn.remove("Cluster", name);
    cancelDrsPass(txn, name);
    forgetHistory(txn, name);
    txn.emit("Cluster", name, "Deleted", "cluster deleted");
  },
});
