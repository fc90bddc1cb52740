/**
 * Each cluster's usable hosts (connected: not in maintenance, failed, isolated or standby), whose
 * capacity counts for the cluster's capacity and for HA admission. The world keeps them as hosts are
 * put (a ledger, world-setup.ts), so an operation at thousands of hosts reads them without walking
 * every host record: most host writes change usage, not capacity or state, and leave them as they were.
 */
import { type LedgerType, type World, compareNames } from "../kernel/model";
import type { HostRecord, RuntimeObject } from "../kernel/records";
import { Txn } from "../kernel/txn";

export interface HostCapacity {
  name: string;
  cpuMhz: number;
  memoryMb: number;
}

/** The usable hosts sorted by name, and their capacity summed in that order. */
export interface UsableHosts {
  hosts: readonly HostCapacity[];
  cpuMhz: number;
  memoryMb: number;
}

/** Hosts whose capacity counts for admission: connected ones. */
export function isUsable(host: HostRecord): boolean {
  return host.status.state === "connected";
}

const clusterOf = (obj: RuntimeObject | undefined) => (obj as HostRecord | undefined)?.spec.cluster ?? undefined;

function capacityOf(obj: RuntimeObject | undefined): HostCapacity | undefined {
  const host = obj as HostRecord | undefined;
  if (!host || !isUsable(host)) return undefined;
  return { name: host.name, cpuMhz: host.status.cpuCapacityMhz, memoryMb: host.status.memoryCapacityMb };
}

const sameCapacity = (a: HostCapacity | undefined, b: HostCapacity | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.cpuMhz === b.cpuMhz && a.memoryMb === b.memoryMb);

const byName = (a: HostCapacity, b: HostCapacity) => compareNames(a.name, b.name);

function summed(hosts: HostCapacity[]): UsableHosts {
  let cpuMhz = 0;
  let memoryMb = 0;
  for (const h of hosts) {
    cpuMhz += h.cpuMhz;
    memoryMb += h.memoryMb;
  }
  return { hosts, cpuMhz, memoryMb };
}

const NONE: UsableHosts = { hosts: [], cpuMhz: 0, memoryMb: 0 };

interface ClusterEntry {
  byName: Map<string, HostCapacity>;
  /** Sorted and summed on first read after a change. */
  usable?: UsableHosts;
}

export class UsableHostsLedger {
  private readonly clusters = new Map<string, ClusterEntry>();

  replace(before: RuntimeObject | undefined, after: RuntimeObject | undefined): void {
    const from = clusterOf(before);
    const to = clusterOf(after);
    const was = from === undefined ? undefined : capacityOf(before);
    const now = to === undefined ? undefined : capacityOf(after);
    if (from === to && sameCapacity(was, now)) return;
    if (was) this.entry(from!).byName.delete(was.name);
    if (now) this.entry(to!).byName.set(now.name, now);
  }

  usable(cluster: string): UsableHosts {
    const entry = this.clusters.get(cluster);
    if (!entry) return NONE;
    entry.usable ??= summed([...entry.byName.values()].sort(byName));
    return entry.usable;
  }

  private entry(cluster: string): ClusterEntry {
    let entry = this.clusters.get(cluster);
    if (!entry) this.clusters.set(cluster, (entry = { byName: new Map() }));
    entry.usable = undefined;
    return entry;
  }
}

/** Files each host version under its cluster, so an operation's reads apply only its changes to that cluster's hosts. */
export const USABLE_HOSTS_LEDGER: LedgerType<UsableHostsLedger> = {
  name: "usableHosts",
  kind: "Host",
  create: () => new UsableHostsLedger(),
  changeKey: clusterOf,
};

/** A cluster's usable hosts as the world, or an operation (its own host changes applied), sees them. */
export function usableHostsOf(view: World | Txn, cluster: string): UsableHosts {
  const stored = view.ledger(USABLE_HOSTS_LEDGER).usable(cluster);
  const changed = view instanceof Txn ? view.changedUnder(USABLE_HOSTS_LEDGER, cluster) : undefined;
  if (!changed) return stored;
  // Each host whose capacity this operation changed: its capacity now, undefined when no longer usable here.
  let updates: Map<string, HostCapacity | undefined> | undefined;
  for (const [before, after] of (view as Txn).changedPairs("Host", changed)) {
    const was = clusterOf(before) === cluster ? capacityOf(before) : undefined;
    const now = clusterOf(after) === cluster ? capacityOf(after) : undefined;
    if (!sameCapacity(was, now)) (updates ??= new Map()).set((before ?? after)!.name, now);
  }
  return updates ? summed(withUpdates(stored.hosts, updates)) : stored;
}

/**
 * `hosts` (sorted by name) with the updated ones replaced, added or taken out, still sorted: a merge,
 * because an HA wave asks again after each of hundreds of hosts is declared failed.
 */
function withUpdates(hosts: readonly HostCapacity[], updates: ReadonlyMap<string, HostCapacity | undefined>): HostCapacity[] {
  const kept = hosts.filter((h) => !updates.has(h.name));
  const added = [...updates.values()].filter((h) => h !== undefined).sort(byName);
  const out: HostCapacity[] = [];
  let a = 0;
  for (const h of kept) {
    while (a < added.length && byName(added[a], h) < 0) out.push(added[a++]);
    out.push(h);
  }
  while (a < added.length) out.push(added[a++]);
  return out;
}
