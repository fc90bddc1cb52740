/**
 * Simulated time. Work that happens later (a DRS pass every interval, a failure declared after
 * missed heartbeats, a migration finishing) is a timer in the world; `advance` fires the due
 * timers in order of time, then of scheduling, setting the clock to each one's time first.
 * Handlers may schedule further timers, including ones due within the same advance. Each timer is
 * a step of its own: what it changed is settled (settle.ts) before the next one fires.
 */
import { refuse } from "./errors";
import type { Kind, Timer } from "./model";
import { settle } from "./settle";
import type { Txn } from "./txn";

export type TimerHandler = (txn: Txn, timer: Timer) => void;

/** Timer handlers by task name. Modules that schedule timers register their handler here. */
const handlers = new Map<string, TimerHandler>();

export function registerTimerHandler(task: string, handler: TimerHandler): void {
  if (handlers.has(task)) throw new Error(`internal: a handler for timer task ${task} is already registered`);
  handlers.set(task, handler);
}

export function schedule(txn: Txn, at: number, task: string, target: { kind: Kind; name: string }, data?: unknown): void {
  if (!handlers.has(task)) throw new Error(`internal: no handler for timer task ${task}`);
  txn.addTimer({ at, task, kind: target.kind, name: target.name, ...(data === undefined ? {} : { data }) });
}

/** Moves the clock forward by `seconds`, firing every timer that falls due on the way. */
export function advance(txn: Txn, seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < 0) {
    refuse("InvalidSpec", { kind: "Clock", name: "simulation", field: "seconds" }, `must be a finite number of seconds >= 0 (got ${seconds})`);
  }
  const end = txn.clockSeconds + seconds;
  for (let timer = txn.takeTimerDueBy(end); timer; timer = txn.takeTimerDueBy(end)) {
    txn.clockSeconds = Math.max(txn.clockSeconds, timer.at);
    const handler = handlers.get(timer.task);
    if (!handler) throw new Error(`internal: no handler for timer task ${timer.task}`);
    handler(txn, timer);
    settle(txn);
  }
  txn.clockSeconds = end;
}
