/**
 * The world: every object of the virtual datacenter, the simulated clock and the random state.
 * Objects are immutable values: an operation never edits one in place, it puts a new version
 * through a Txn (see txn.ts). The world freezes what it holds so a stray edit fails loudly.
 */
import type { Kind } from "../../schema";
import { DemandLedger, type DemandTotals } from "./ha/demand";
import { INDEXES_BY_KIND, type IndexName, indexKeys, sameIndexKeys } from "./indexes";
import { UsageLedger } from "./usage-ledger";
import type { ClusterSpec, ClusterStatus } from "../../schema/cluster";
import type { ContainerSpec, ContainerStatus } from "../../schema/container";
import type { DatastoreSpec, DatastoreStatus } from "../../schema/datastore";
import type { HostSpec, HostStatus } from "../../schema/host";
import type { ResourcePoolSpec, ResourcePoolStatus } from "../../schema/resource-pool";
import type { RuleSpec, RuleStatus } from "../../schema/rule";
import type { TemplateSpec, TemplateStatus } from "../../schema/template";
import type { VmSpec, VmStatus } from "../../schema/virtual-machine";

export type { Kind };

export interface RuntimeObject<S = unknown, T = unknown> {
  kind: Kind;
  name: string;
  spec: S;
  status: T;
  /** Incremented on every change of spec; status carries the generation it reflects. */
  generation: number;
}

/** Statuses as stored: the name lists of the public statuses are read from the world's indexes instead. */
export type StoredClusterStatus = Omit<ClusterStatus, "hosts" | "ha">;
export type StoredHostStatus = Omit<HostStatus, "vms" | "incomingVms" | "containers">;
export type StoredPoolStatus = Omit<ResourcePoolStatus, "vms" | "pools">;
export type StoredDatastoreStatus = Omit<DatastoreStatus, "hosts" | "vms" | "shared">;

export type ClusterRecord = RuntimeObject<ClusterSpec, StoredClusterStatus>;
export type HostRecord = RuntimeObject<HostSpec, StoredHostStatus>;
export type PoolRecord = RuntimeObject<ResourcePoolSpec, StoredPoolStatus>;
export type DatastoreRecord = RuntimeObject<DatastoreSpec, StoredDatastoreStatus>;
export type VmRecord = RuntimeObject<VmSpec, VmStatus>;
export type RuleRecord = RuntimeObject<RuleSpec, RuleStatus>;
export type ContainerRecord = RuntimeObject<ContainerSpec, ContainerStatus>;
export type StoredTemplateStatus = Omit<TemplateStatus, "containers">;
export type TemplateRecord = RuntimeObject<TemplateSpec, StoredTemplateStatus>;

export interface RuntimeEvent {
  seq: number;
  timeSeconds: number;
  kind: Kind;
  name: string;
  /** One CamelCase word, e.g. Placed, PoweredOn, DrsMigrated. */
  reason: string;
  message: string;
}
export type NewEvent = Omit<RuntimeEvent, "seq">;

/** Work due at a simulated time; `seq` orders timers due at the same time by when they were set. */
export interface Timer {
  at: number;
  seq: number;
  task: string;
  kind: Kind;
  name: string;
  data?: unknown;
}

export interface WorldMeta {
  clockSeconds: number;
  randomState: number;
  /** Pending timers, ordered by (at, seq). */
  timers: readonly Timer[];
  nextTimerSeq: number;
}

/** What one operation changed: what a store persists in one transaction. */
export interface Changes {
  puts: RuntimeObject[];
  removes: { kind: Kind; name: string }[];
  events: NewEvent[];
  meta: WorldMeta;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

export class World {
  private readonly byKind = new Map<Kind, Map<string, RuntimeObject>>();
  /** Sorted names per kind, rebuilt lazily when objects come or go: iteration order must not depend on history. */
  private readonly sortedNames = new Map<Kind, string[]>();
  /** index name -> key -> names of the objects with that key. */
  private readonly indexes = new Map<IndexName, Map<string, Set<string>>>();
  /** The same names sorted, built on first use and dropped when the key's set changes. */
  private readonly sortedIndexes = new Map<IndexName, Map<string, readonly string[]>>();
  /** What HA admission control holds capacity for, per cluster; kept like the indexes. */
  readonly demand = new DemandLedger();
  /** What running VMs are entitled to and want, per host; kept like the indexes. */
  readonly usage = new UsageLedger();

  constructor(public meta: WorldMeta) {}

  get(kind: Kind, name: string): RuntimeObject | undefined {
    return this.byKind.get(kind)?.get(name);
  }

  /** Objects of a kind sorted by name. */
  list(kind: Kind): readonly RuntimeObject[] {
    const objects = this.byKind.get(kind);
    if (!objects) return [];
    let names = this.sortedNames.get(kind);
    if (!names) this.sortedNames.set(kind, (names = [...objects.keys()].sort(compareNames)));
    return names.map((name) => objects.get(name)!);
  }

  count(kind: Kind): number {
    return this.byKind.get(kind)?.size ?? 0;
  }

  /** Names of the objects whose indexed field equals `key` (unsorted; callers sort what they show). */
  related(index: IndexName, key: string): ReadonlySet<string> {
    return this.indexes.get(index)?.get(key) ?? EMPTY;
  }

  /** Names related by the index, sorted; a cached array, not to be modified. */
  relatedSorted(index: IndexName, key: string): readonly string[] {
    let byKey = this.sortedIndexes.get(index);
    if (!byKey) this.sortedIndexes.set(index, (byKey = new Map()));
    let names = byKey.get(key);
    if (!names) byKey.set(key, (names = [...this.related(index, key)].sort(compareNames)));
    return names;
  }

  clusterDemand(cluster: string): DemandTotals {
    return this.demand.totals(cluster);
  }

  /** Loads or replaces one object (store loading and committing). */
  put(obj: RuntimeObject): void {
    let objects = this.byKind.get(obj.kind);
    if (!objects) this.byKind.set(obj.kind, (objects = new Map()));
    const previous = objects.get(obj.name);
    if (!previous) this.sortedNames.delete(obj.kind);
    objects.set(obj.name, deepFreeze(obj));
    this.reindex(previous, obj);
    if (obj.kind === "VirtualMachine") {
      this.demand.replace(previous, obj);
      this.usage.replace(previous, obj);
    }
  }

  remove(kind: Kind, name: string): void {
    const previous = this.byKind.get(kind)?.get(name);
    if (!previous) return;
    this.byKind.get(kind)!.delete(name);
    this.sortedNames.delete(kind);
    this.reindex(previous, undefined);
    if (kind === "VirtualMachine") {
      this.demand.replace(previous, undefined);
      this.usage.replace(previous, undefined);
    }
  }

  private reindex(before: RuntimeObject | undefined, after: RuntimeObject | undefined): void {
    const obj = (after ?? before)!;
    for (const [index] of INDEXES_BY_KIND.get(obj.kind) ?? []) {
      if (sameIndexKeys(index, before, after)) continue;
      const oldKeys = before ? indexKeys(index, before) : [];
      const newKeys = after ? indexKeys(index, after) : [];
      let byKey = this.indexes.get(index);
      if (!byKey) this.indexes.set(index, (byKey = new Map()));
      const sorted = this.sortedIndexes.get(index);
      for (const key of oldKeys) {
        if (newKeys.includes(key)) continue;
        byKey.get(key)?.delete(obj.name);
        sorted?.delete(key);
      }
      for (const key of newKeys) {
        if (oldKeys.includes(key)) continue;
        if (!byKey.has(key)) byKey.set(key, new Set());
        byKey.get(key)!.add(obj.name);
        sorted?.delete(key);
      }
    }
  }

  applyChanges(changes: Changes): void {
    for (const r of changes.removes) this.remove(r.kind, r.name);
    for (const obj of changes.puts) this.put(obj);
    this.meta = deepFreeze({ ...changes.meta });
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** Plain code-point order: the same on every machine and locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
