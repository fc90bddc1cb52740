/**
 * The world: every object of the virtual datacenter, the simulated clock and the random state.
 * Objects are immutable values: an operation never edits one in place, it puts a new version
 * through a Txn (see txn.ts). In checked mode (the test suite) the world freezes what it holds so a
 * stray edit fails loudly (see setRecordFreezing).
 * The kernel knows no domain: what is derived from the objects is kept by indexes (indexes.ts) and by
 * ledgers the modules above declare and world-setup.ts hands to every World.
 */
import { INDEXES_BY_KIND, type IndexName, indexKeys, sameIndexKeys } from "./indexes";
import type { Changes, Kind, RuntimeObject, WorldMeta } from "./records";

export type {
  Changes,
  ClusterRecord,
  ContainerRecord,
  DatastoreClusterRecord,
  DatastoreRecord,
  HostRecord,
  Kind,
  NewEvent,
  PoolRecord,
  RuleRecord,
  RuntimeEvent,
  RuntimeObject,
  StoredClusterStatus,
  StoredDatastoreClusterStatus,
  StoredDatastoreStatus,
  StoredHostStatus,
  StoredPoolStatus,
  StoredTemplateStatus,
  StoredVmStatus,
  TemplateRecord,
  Timer,
  VmRecord,
  WorldMeta,
} from "./records";

let freezeRecords = false;

/**
 * Checked mode: the world deep-freezes every record it holds, so an edit in place throws. Off by
 * default: V8 gives frozen objects that were spread from frozen objects their own hidden classes
 * once a world holds thousands of them (over 3,000 classes for the VMs of one 10,000-VM cluster after
 * a DRS pass, 6 to 9 unfrozen), and every read of a record then pays for it. The test suite runs checked.
 */
export function setRecordFreezing(on: boolean): void {
  freezeRecords = on;
}

/** Whether checked mode is on: code that trusts a caller's shortcut then also checks it against the long way. */
export function isCheckedMode(): boolean {
  return freezeRecords;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key in value) {
      const field = (value as Record<string, unknown>)[key];
      if (typeof field === "object") deepFreeze(field);
    }
  }
  return value;
}

/**
 * A structure derived from the objects of one kind that the world keeps as they are put and removed,
 * like an index (per-host usage sums, per-cluster HA demand). The world knows only this interface.
 */
export interface Ledger {
  replace(before: RuntimeObject | undefined, after: RuntimeObject | undefined): void;
}

/** How to make one ledger, declared by the module that owns it and handed to the World (world-setup.ts). */
export interface LedgerType<L extends Ledger = Ledger> {
  readonly name: string;
  readonly kind: Kind;
  create(): L;
  /**
   * The key a version of an object is filed under, when the ledger's per-operation queries read an
   * operation's changes by key (Txn.changedUnder): each operation then notes, per key, what it changed.
   */
  changeKey?(obj: RuntimeObject): string | undefined;
}

export class World {
  private readonly byKind = new Map<Kind, Map<string, RuntimeObject>>();
  /** Sorted names per kind, rebuilt lazily when objects come or go: iteration order must not depend on history. */
  private readonly sortedNames = new Map<Kind, string[]>();
  /** index name -> key -> names of the objects with that key. */
  private readonly indexes = new Map<IndexName, Map<string, Set<string>>>();
  /** The same names sorted, built on first use and dropped when the key's set changes. */
  private readonly sortedIndexes = new Map<IndexName, Map<string, readonly string[]>>();
  private readonly ledgers = new Map<LedgerType, Ledger>();
  /** The ledgers kept for each kind, in the order they were given. */
  private readonly ledgersByKind = new Map<Kind, { type: LedgerType; ledger: Ledger }[]>();

  constructor(
    public meta: WorldMeta,
    ledgerTypes: readonly LedgerType[],
  ) {
    for (const type of ledgerTypes) {
      const ledger = type.create();
      this.ledgers.set(type, ledger);
      if (!this.ledgersByKind.has(type.kind)) this.ledgersByKind.set(type.kind, []);
      this.ledgersByKind.get(type.kind)!.push({ type, ledger });
    }
  }

  /** The world's ledger of a type; asking for one it was not given is a wiring mistake. */
  ledger<L extends Ledger>(type: LedgerType<L>): L {
    const ledger = this.ledgers.get(type);
    if (!ledger) throw new Error(`internal: the world keeps no ${type.name} ledger (create worlds through world-setup.ts)`);
    return ledger as L;
  }

  /** The ledgers kept for objects of a kind. */
  ledgersOf(kind: Kind): readonly { type: LedgerType; ledger: Ledger }[] {
    return this.ledgersByKind.get(kind) ?? NO_LEDGERS;
  }

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

  /** Loads or replaces one object (store loading and committing). */
  put(obj: RuntimeObject): void {
    let objects = this.byKind.get(obj.kind);
    if (!objects) this.byKind.set(obj.kind, (objects = new Map()));
    const previous = objects.get(obj.name);
    if (!previous) this.sortedNames.delete(obj.kind);
    objects.set(obj.name, freezeRecords ? deepFreeze(obj) : obj);
    this.reindex(previous, obj);
    for (const { ledger } of this.ledgersOf(obj.kind)) ledger.replace(previous, obj);
  }

  remove(kind: Kind, name: string): void {
    const previous = this.byKind.get(kind)?.get(name);
    if (!previous) return;
    this.byKind.get(kind)!.delete(name);
    this.sortedNames.delete(kind);
    this.reindex(previous, undefined);
    for (const { ledger } of this.ledgersOf(kind)) ledger.replace(previous, undefined);
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
const NO_LEDGERS: readonly { type: LedgerType; ledger: Ledger }[] = [];

/** Plain code-point order: the same on every machine and locale. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
