/**
 * What the console knows: objects by kind, the clock, the event log and the utilization history.
 * Refreshes are driven by the event stream: events name the kinds that changed, and one refresh
 * (coalesced, at most one in flight) re-reads those kinds with hosts and clusters, whose usage moves
 * with everything else. Nothing polls.
 */
import { api, ApiError } from "./api";
import type { Clock, ClusterHistory, Obj, Role, RuntimeEvent } from "./types";

export const SHOWN_KINDS = ["Cluster", "Host", "VirtualMachine", "Container", "Datastore", "Alarm"] as const;
/** The event log kept in memory; older events are still in the server's log. */
const MAX_EVENTS = 5000;

export interface State {
  role: Role | null;
  whoName?: string;
  connected: boolean;
  clock: Clock & { readAt: number };
  objects: Record<string, Map<string, Obj>>;
  events: RuntimeEvent[];
  history: ClusterHistory[];
  /** Bumped when history is re-read, so charts redraw only then. */
  historyVersion: number;
  error: string | null;
}

export const state: State = {
  role: null,
  connected: false,
  clock: { nowSeconds: 0, speed: 0, paused: true, readAt: 0 },
  objects: Object.fromEntries(SHOWN_KINDS.map((k) => [k, new Map()])),
  events: [],
  history: [],
  historyVersion: 0,
  error: null,
};

export function objects(kind: string): Obj[] {
  return [...(state.objects[kind]?.values() ?? [])];
}

export function object(kind: string, name: string): Obj | undefined {
  return state.objects[kind]?.get(name);
}

/** The simulated time now: the clock as last read, moved on by its speed while it runs. */
export function simulatedNow(): number {
  const c = state.clock;
  return c.paused ? c.nowSeconds : c.nowSeconds + ((performance.now() - c.readAt) / 1000) * c.speed;
}

const listeners: (() => void)[] = [];
export function onChange(listener: () => void): void {
  listeners.push(listener);
}
function changed(): void {
  for (const l of listeners) l();
}

/** Kinds the server does not know (an older server without alarms) are skipped from then on. */
const unknownKinds = new Set<string>();

async function readKind(kind: string): Promise<void> {
  if (unknownKinds.has(kind)) return;
  try {
    const list = await api.list(kind);
    state.objects[kind] = new Map(list.map((o) => [o.name, o]));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 400 || e.status === 404)) unknownKinds.add(kind);
    else throw e;
  }
}

async function readClock(): Promise<void> {
  const clock = await api.clock();
  state.clock = { ...clock, readAt: performance.now() };
}

/** The simulated time the history was last read at: DRS passes record only as the clock moves. */
let historyReadAt = -1;

async function readHistory(): Promise<void> {
  if (state.clock.nowSeconds === historyReadAt) return;
  historyReadAt = state.clock.nowSeconds;
  try {
    state.history = await api.history();
    state.historyVersion++;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
}

/** Above this many changed objects of a kind, one list is cheaper than a read of each. */
const MAX_SINGLE_READS = 200;

let pendingLists = new Set<string>();
let pendingNames = new Map<string, Set<string>>();
let running: Promise<void> | null = null;

async function readOne(kind: string, name: string): Promise<void> {
  try {
    state.objects[kind].set(name, await api.get(kind, name));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) state.objects[kind].delete(name);
    else throw e;
  }
}

/** Asks for kinds to be re-read whole; calls made while a refresh runs are merged into the next one. */
export function refresh(kinds: Iterable<string> = SHOWN_KINDS): void {
  for (const k of kinds) pendingLists.add(k);
  if (!running) running = drain();
}

/** Asks for the objects the events name to be re-read (with hosts and clusters, whose usage moves with everything). */
function refreshNamed(events: readonly RuntimeEvent[]): void {
  for (const e of events) {
    if (!(e.kind in state.objects) || unknownKinds.has(e.kind)) continue;
    if (!pendingNames.has(e.kind)) pendingNames.set(e.kind, new Set());
    pendingNames.get(e.kind)!.add(e.name);
  }
  if (!running) running = drain();
}

async function drain(): Promise<void> {
  try {
    while (pendingLists.size > 0 || pendingNames.size > 0) {
      const lists = new Set([...pendingLists, "Cluster", "Host"]);
      for (const [kind, names] of pendingNames) if (names.size > MAX_SINGLE_READS) lists.add(kind);
      const singles = [...pendingNames]
        .filter(([kind]) => !lists.has(kind))
        .flatMap(([kind, names]) => [...names].map((name) => readOne(kind, name)));
      pendingLists = new Set();
      pendingNames = new Map();
      await Promise.all([...[...lists].map(readKind), ...singles, readClock().then(readHistory)]);
      state.error = null;
      changed();
    }
  } catch (e) {
    state.error = e instanceof Error ? e.message : String(e);
    changed();
  } finally {
    running = null;
    if (pendingLists.size > 0 || pendingNames.size > 0) running = drain();
  }
}

/** What the first screen needs: who, the clock, clusters and hosts (their VMs by name). */
export async function loadFirst(): Promise<void> {
  const who = await api.whoami();
  state.role = who.role;
  state.whoName = who.name;
  await Promise.all([readKind("Cluster"), readKind("Host"), readClock()]);
}

/** The rest, after the first render: the event log first, so the stream resumes after it and nothing is missed. */
export async function loadRest(): Promise<number> {
  state.events = (await api.events(0)).slice(-MAX_EVENTS);
  await Promise.all([...SHOWN_KINDS.filter((k) => k !== "Cluster" && k !== "Host").map(readKind), readHistory()]);
  changed();
  return state.events.at(-1)?.seq ?? 0;
}

export function addEvents(events: RuntimeEvent[]): void {
  state.events.push(...events);
  if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
  refreshNamed(events);
}

export function setConnected(connected: boolean): void {
  if (state.connected === connected) return;
  state.connected = connected;
  changed();
}

export const canOperate = () => state.role === "operator" || state.role === "admin";
