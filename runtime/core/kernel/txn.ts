/**
 * One operation's working copy of the world. Reads see the operation's own writes first; nothing
 * reaches the world until the store has committed `changes()`. A refused operation throws and its
 * Txn is simply dropped, so a refusal never leaves partial state.
 */
import { SeededRandom } from "./random";
import { type IndexName, INDEXES, INDEXES_BY_KIND, indexKeys, sameIndexKeys } from "./indexes";
import { type Ledger, type LedgerType, type World, compareNames } from "./model";
import type { Changes, Kind, NewEvent, RuntimeObject, Timer } from "./records";

export class Txn {
  private readonly overlay = new Map<Kind, Map<string, RuntimeObject | null>>();
  /** Per index and key: names this operation brought to the world's set and took from it. */
  private readonly indexDelta = new Map<IndexName, Map<string, { arrived: Set<string>; left: Set<string> }>>();
  private readonly newEvents: NewEvent[] = [];
  readonly random: SeededRandom;
  clockSeconds: number;
  /** Copied on write, so an operation that touches no timer hands back the world's own array. */
  private timers: readonly Timer[];
  private nextTimerSeq: number;
  /** Per kind, what queries over it worked out since the operation last changed an object of that kind (see memo). */
  private readonly memos = new Map<Kind, Map<object, unknown>>();
  /** Hosts whose VMs or reservations changed since the step began: settle.ts refreshes them once when it ends. */
  private readonly unsettledHosts = new Set<string>();
  /** While a step that may be dropped runs: each write's previous overlay entry, to undo it (see beginStep). */
  private journal: { kind: Kind; name: string; previous: RuntimeObject | null | undefined }[] | undefined;
  /** Per ledger that files changes by key (LedgerType.changeKey), per key: the objects this operation changed that had the key in some version. */
  private readonly changedByKey = new Map<LedgerType, Map<string, Set<string>>>();

  constructor(private readonly world: World) {
    this.clockSeconds = world.meta.clockSeconds;
    this.random = new SeededRandom(world.meta.randomState);
    this.timers = world.meta.timers;
    this.nextTimerSeq = world.meta.nextTimerSeq;
  }

  get<T extends RuntimeObject = RuntimeObject>(kind: Kind, name: string): T | undefined {
    // One lookup in the overlay: null marks an object this operation removed.
    const changed = this.overlay.get(kind)?.get(name);
    if (changed !== undefined) return (changed ?? undefined) as T | undefined;
    return this.world.get(kind, name) as T | undefined;
  }

  /** Objects of a kind, as this operation sees them, sorted by name. */
  list<T extends RuntimeObject = RuntimeObject>(kind: Kind): readonly T[] {
    const base = this.world.list(kind) as readonly T[];
    const changed = this.overlay.get(kind);
    if (!changed || changed.size === 0) return base;
    const merged = new Map<string, T>(base.map((o) => [o.name, o]));
    for (const [name, obj] of changed) {
      if (obj) merged.set(name, obj as T);
      else merged.delete(name);
    }
    return [...merged.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  /**
   * Names (sorted) of the objects whose indexed field equals `key`, as this operation sees them: the
   * world's sorted list, with this operation's arrivals merged in and departures left out. Costs the
   * answer's size, however many objects the operation has written.
   */
  related(index: IndexName, key: string): string[] {
    const names = this.relatedNames(index, key);
    return names === this.world.relatedSorted(index, key) ? [...names] : (names as string[]);
  }

  /** The objects of `kind` whose indexed field equals `key`, sorted by name. */
  relatedObjects<T extends RuntimeObject>(index: IndexName, key: string): T[] {
    const names = this.relatedNames(index, key);
    const kind = INDEXES[index].kind;
    const objects = new Array<T>(names.length);
    for (let i = 0; i < names.length; i++) objects[i] = this.get<T>(kind, names[i])!;
    return objects;
  }

  /** The names `related` answers, not to be modified: the world's own sorted array when this operation changed none of them. */
  relatedSorted(index: IndexName, key: string): readonly string[] {
    return this.relatedNames(index, key);
  }

  private relatedNames(index: IndexName, key: string): readonly string[] {
    const base = this.world.relatedSorted(index, key);
    const delta = this.indexDelta.get(index)?.get(key);
    if (!delta || (delta.arrived.size === 0 && delta.left.size === 0)) return base;
    const kept = delta.left.size > 0 ? base.filter((n) => !delta.left.has(n)) : [...base];
    return delta.arrived.size > 0 ? mergeSorted(kept, [...delta.arrived].sort(compareNames)) : kept;
  }

  /** The world's ledger of a type (see LedgerType); the ledger's module applies this operation's changes to what it reads. */
  ledger<L extends Ledger>(type: LedgerType<L>): L {
    return this.world.ledger(type);
  }

  /** Whether this operation has changed (or removed) the object. */
  hasChanged(kind: Kind, name: string): boolean {
    return this.overlay.get(kind)?.has(name) === true;
  }

  /** Whether this operation has brought a name to the index's set for `key` or taken one from it. */
  changedRelated(index: IndexName, key: string): boolean {
    const delta = this.indexDelta.get(index)?.get(key);
    return delta !== undefined && (delta.arrived.size > 0 || delta.left.size > 0);
  }

  /** How many objects of a kind this operation has changed. */
  changedCount(kind: Kind): number {
    return this.overlay.get(kind)?.size ?? 0;
  }

  /** Names of the objects this operation changed that the ledger filed under `key` in some version (see LedgerType.changeKey). */
  changedUnder(type: LedgerType, key: string): ReadonlySet<string> | undefined {
    return this.changedByKey.get(type)?.get(key);
  }

  /** Each object of a kind this operation changed (or those of `names`), as the stored version and this operation's version. */
  *changedPairs(kind: Kind, names?: Iterable<string>): Generator<[RuntimeObject | undefined, RuntimeObject | undefined]> {
    const changed = this.overlay.get(kind);
    if (changed) for (const name of names ?? changed.keys()) yield [this.world.get(kind, name), changed.get(name) ?? undefined];
  }

  /**
   * What a query over objects of `kind` worked out, kept under `owner` until this operation changes an
   * object of that kind or drops a step: a failover asks for the same totals several times.
   */
  memo<T>(kind: Kind, owner: object, create: () => T): T {
    let memos = this.memos.get(kind);
    if (!memos) this.memos.set(kind, (memos = new Map()));
    if (!memos.has(owner)) memos.set(owner, create());
    return memos.get(owner) as T;
  }

  put<T extends RuntimeObject>(obj: T): T {
    const before = this.get(obj.kind, obj.name);
    this.journal?.push({ kind: obj.kind, name: obj.name, previous: this.overlay.get(obj.kind)?.get(obj.name) });
    this.kindOverlay(obj.kind).set(obj.name, obj);
    this.track(obj.kind, obj.name, before, obj);
    return obj;
  }

  remove(kind: Kind, name: string): void {
    const before = this.get(kind, name);
    this.journal?.push({ kind, name, previous: this.overlay.get(kind)?.get(name) });
    this.kindOverlay(kind).set(name, null);
    this.track(kind, name, before, undefined);
  }

  /** Keeps indexDelta and the changes by ledger key current as an object changes within this operation; drops stale memos. */
  private track(kind: Kind, name: string, before: RuntimeObject | undefined, after: RuntimeObject | undefined): void {
    const memos = this.memos.get(kind);
    if (memos && memos.size > 0) memos.clear();
    for (const { type } of this.world.ledgersOf(kind)) {
      if (!type.changeKey) continue;
      this.noteChange(type, name, before);
      this.noteChange(type, name, after);
    }
    for (const [index] of INDEXES_BY_KIND.get(kind) ?? []) {
      if (sameIndexKeys(index, before, after)) continue;
      const oldKeys = before ? indexKeys(index, before) : NO_KEYS;
      const newKeys = after ? indexKeys(index, after) : NO_KEYS;
      for (const key of oldKeys) {
        if (newKeys.includes(key)) continue;
        const d = this.delta(index, key);
        if (!d.arrived.delete(name)) d.left.add(name);
      }
      for (const key of newKeys) {
        if (oldKeys.includes(key)) continue;
        const d = this.delta(index, key);
        if (!d.left.delete(name)) d.arrived.add(name);
      }
    }
  }

  private noteChange(type: LedgerType, name: string, obj: RuntimeObject | undefined): void {
    const key = obj && type.changeKey!(obj);
    if (key === undefined) return;
    let byKey = this.changedByKey.get(type);
    if (!byKey) this.changedByKey.set(type, (byKey = new Map()));
    let names = byKey.get(key);
    if (!names) byKey.set(key, (names = new Set()));
    names.add(name);
  }

  private delta(index: IndexName, key: string): { arrived: Set<string>; left: Set<string> } {
    let byKey = this.indexDelta.get(index);
    if (!byKey) this.indexDelta.set(index, (byKey = new Map()));
    let d = byKey.get(key);
    if (!d) byKey.set(key, (d = { arrived: new Set(), left: new Set() }));
    return d;
  }

  markUnsettled(host: string): void {
    this.unsettledHosts.add(host);
  }

  /** Whether the host was marked since the step began, so its usage waits for the step's end. */
  isUnsettled(host: string): boolean {
    return this.unsettledHosts.has(host);
  }

  /** The hosts marked since the last call, sorted, and forgets them. */
  takeUnsettled(): string[] {
    if (this.unsettledHosts.size === 0) return [];
    const hosts = [...this.unsettledHosts].sort(compareNames);
    this.unsettledHosts.clear();
    return hosts;
  }

  emit(kind: Kind, name: string, reason: string, message: string): void {
    this.newEvents.push({ timeSeconds: this.clockSeconds, kind, name, reason, message });
  }

  addTimer(timer: Omit<Timer, "seq">): void {
    const entry: Timer = { ...timer, seq: this.nextTimerSeq++ };
    let at = this.timers.length;
    while (at > 0 && this.timers[at - 1].at > entry.at) at--;
    this.timers = [...this.timers.slice(0, at), entry, ...this.timers.slice(at)];
  }

  /** Removes and returns the earliest timer due at or before `time`, if any. */
  takeTimerDueBy(time: number): Timer | undefined {
    const [first] = this.timers;
    if (first === undefined || first.at > time) return undefined;
    this.timers = this.timers.slice(1);
    return first;
  }

  /** Cancels the pending timers that match, e.g. those of a deleted object. */
  cancelTimers(match: (timer: Timer) => boolean): void {
    this.timers = this.timers.filter((t) => !match(t));
  }

  get pendingTimers(): readonly Timer[] {
    return this.timers;
  }

  get events(): readonly NewEvent[] {
    return this.newEvents;
  }

  /**
   * Starts a step whose changes can be dropped on their own (a timer of an advance): objects, events,
   * timers, the random source and unsettled hosts. Steps do not nest.
   */
  beginStep(): StepMark {
    this.journal = [];
    return {
      events: this.newEvents.length,
      randomState: this.random.seedState,
      clockSeconds: this.clockSeconds,
      timers: this.timers,
      nextTimerSeq: this.nextTimerSeq,
      unsettled: [...this.unsettledHosts],
    };
  }

  /** Keeps the step's changes. */
  endStep(): void {
    this.journal = undefined;
  }

  /** Drops everything the step changed since beginStep, newest write first. */
  dropStep(mark: StepMark): void {
    const journal = this.journal ?? [];
    this.journal = undefined;
    for (let i = journal.length - 1; i >= 0; i--) {
      const { kind, name, previous } = journal[i];
      const current = this.get(kind, name);
      const objects = this.kindOverlay(kind);
      if (previous === undefined) objects.delete(name);
      else objects.set(name, previous);
      this.track(kind, name, current, this.get(kind, name));
    }
    this.memos.clear();
    this.newEvents.length = mark.events;
    this.random.restore(mark.randomState);
    this.clockSeconds = mark.clockSeconds;
    this.timers = mark.timers;
    this.nextTimerSeq = mark.nextTimerSeq;
    this.unsettledHosts.clear();
    for (const h of mark.unsettled) this.unsettledHosts.add(h);
  }

  changes(): Changes {
    const puts: RuntimeObject[] = [];
    const removes: { kind: Kind; name: string }[] = [];
    for (const [kind, objects] of this.overlay) {
      for (const [name, obj] of objects) {
        if (obj) puts.push(obj);
        else if (this.world.get(kind, name)) removes.push({ kind, name });
      }
    }
    return {
      puts,
      removes,
      events: [...this.newEvents],
      meta: { clockSeconds: this.clockSeconds, randomState: this.random.seedState, timers: this.timers, nextTimerSeq: this.nextTimerSeq },
    };
  }

  private kindOverlay(kind: Kind): Map<string, RuntimeObject | null> {
    let objects = this.overlay.get(kind);
    if (!objects) this.overlay.set(kind, (objects = new Map()));
    return objects;
  }
}

/** What beginStep saved besides the write journal. */
export interface StepMark {
  events: number;
  randomState: number;
  clockSeconds: number;
  timers: readonly Timer[];
  nextTimerSeq: number;
  unsettled: string[];
}

const NO_KEYS: readonly string[] = [];

function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && compareNames(a[i], b[j]) <= 0) ? a[i++] : b[j++]);
  return out;
}
