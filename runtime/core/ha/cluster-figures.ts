/** A cluster's HA admission-control figures as the world, or an operation, sees them now. */
import type { ClusterHaStatus } from "../../../schema/cluster";
import { type HostCapacity, usableHostsOf } from "../allocation/usable-hosts";
import type { ClusterRecord, VmRecord, World } from "../kernel/model";
import { Txn } from "../kernel/txn";
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

/**
 * An operation's figures per cluster, kept until it changes a host, and used while the cluster's spec
 * and demand are as they were: HA declaring hundreds of hosts failed at one second reports the
 * capacity left after each, with nothing changed in between.
 */
const KEPT_FIGURES = {};

export function clusterFigures(view: HaView, cluster: ClusterRecord): ClusterFigures {
  const demand = clusterDemand(view, cluster.name);
  const kept = view instanceof Txn ? view.memo("Host", KEPT_FIGURES, () => new Map<string, KeptFigures>()) : undefined;
  const hit = kept?.get(cluster.name);
  if (hit !== undefined && hit.spec === cluster.spec && sameDemand(hit.figures.demand, demand)) return hit.figures;
  const hosts = usableHosts(view, cluster.name);
  const figures = { figures: haFigures(cluster.spec, hosts, demand), hosts, demand };
  kept?.set(cluster.name, { spec: cluster.spec, figures });
  return figures;
}

interface KeptFigures {
  spec: ClusterRecord["spec"];
  figures: ClusterFigures;
}

function sameDemand(a: DemandTotals, b: DemandTotals): boolean {
  return (
    a.vms === b.vms &&
    a.containers === b.containers &&
    a.cpuMhz === b.cpuMhz &&
    a.vmsWithoutCpuReservation === b.vmsWithoutCpuReservation &&
    a.memoryMb === b.memoryMb &&
    a.largestCpuMhz === b.largestCpuMhz &&
    a.largestMemoryMb === b.largestMemoryMb
  );
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
