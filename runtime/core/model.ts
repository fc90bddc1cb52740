/**
 * The world: every object of the virtual datacenter, the simulated clock and the random state.
 * Objects are immutable values: an operation never edits one in place, it puts a new version
 * through a Txn (see txn.ts). The world freezes what it holds so a stray edit fails loudly.
 */
import type { Kind } from "../../schema";
import type { ClusterSpec, ClusterStatus } from "../../schema/cluster";
import type { HostSpec, HostStatus } from "../../schema/host";
import type { ResourcePoolSpec, ResourcePoolStatus } from "../../schema/resource-pool";
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

export type ClusterObject = RuntimeObject<ClusterSpec, ClusterStatus>;
export type HostObject = RuntimeObject<HostSpec, HostStatus>;
export type PoolObject = RuntimeObject<ResourcePoolSpec, ResourcePoolStatus>;
export type VmObject = RuntimeObject<VmSpec, VmStatus>;

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
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export class World {
  private readonly byKind = new Map<Kind, Map<string, RuntimeObject>>();
  /** Sorted lists per kind, rebuilt lazily: iteration order must not depend on history. */
  private readonly sorted = new Map<Kind, RuntimeObject[]>();

  constructor(public meta: WorldMeta) {}

  get(kind: Kind, name: string): RuntimeObject | undefined {
    return this.byKind.get(kind)?.get(name);
  }

  /** Objects of a kind sorted by name. */
  list(kind: Kind): readonly RuntimeObject[] {
    let list = this.sorted.get(kind);
    if (!list) {
      list = [...(this.byKind.get(kind)?.values() ?? [])].sort((a, b) => compareNames(a.name, b.name));
      this.sorted.set(kind, list);
    }
    return list;
  }

  count(kind: Kind): number {
    return this.byKind.get(kind)?.size ?? 0;
  }

  /** Loads or replaces one object (store loading and committing). */
  put(obj: RuntimeObject): void {
    let objects = this.byKind.get(obj.kind);
    if (!objects) this.byKind.set(obj.kind, (objects = new Map()));
    objects.set(obj.name, deepFreeze(obj));
    this.sorted.delete(obj.kind);
  }

  remove(kind: Kind, name: string): void {
    this.byKind.get(kind)?.delete(name);
    this.sorted.delete(kind);
  }

  applyChanges(changes: Changes): void {
    for (const r of changes.removes) this.remove(r.kind, r.name);
    for (const obj of changes.puts) this.put(obj);
    this.meta = deepFreeze({ ...changes.meta });
  }
}

/** Plain code-point order: the same on every machine and locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Inserts a name into a sorted list, returning a new list (no-op if present). */
export function withName(list: readonly string[], name: string): string[] {
  const at = lowerBound(list, name);
  if (list[at] === name) return [...list];
  return [...list.slice(0, at), name, ...list.slice(at)];
}

export function withoutName(list: readonly string[], name: string): string[] {
  return list.filter((n) => n !== name);
}

function lowerBound(list: readonly string[], name: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
