/** A cluster's HA admission-control figures as the world, or an operation, sees them now. */
import type { ClusterHaStatus } from "../../../schema/cluster";
import { type HostCapacity, usableHostsOf } from "../allocation/usable-hosts";
import type { ClusterRecord, VmRecord, World } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { type HaFigures, haFigures } from "./admission-control";
import { type DemandTotals, clusterDemand } from "./demand";

/** What the figures read: the world or an operation's Txn. */
export type HaView = World | Txn;

/** The cluster's usable hosts (connected), sorted by name. */
export function usableHosts(view: HaView, cluster: string): readonly HostCapacity[] {
  return usableHostsOf(view, cluster).hosts;
}

export interface ClusterFigures {
  figures: HaFigures;
  hosts: readonly HostCapacity[];
  demand: DemandTotals;
}

export function clusterFigures(view: HaView, cluster: ClusterRecord): ClusterFigures {
  const hosts = usableHosts(view, cluster.name);
  const demand = clusterDemand(view, cluster.name);
  return { figures: haFigures(cluster.spec, hosts, demand), hosts, demand };
}

/** `Cluster.status.ha`: the figures plus how many VMs HA is restarting or cannot place yet. */
export function clusterHaStatus(view: HaView, cluster: ClusterRecord): ClusterHaStatus {
  let restartsInProgress = 0;
  let pendingRestarts = 0;
  for (const name of view.related("haRestartsInCluster", cluster.name)) {
    const state = (view.get("VirtualMachine", name) as VmRecord).status.haRestart?.state;
    if (state === "pendingRestart") pendingRestarts++;
    else restartsInProgress++;
  }
  return { ...clusterFigures(view, cluster).figures, restartsInProgress, pendingRestarts };
}
