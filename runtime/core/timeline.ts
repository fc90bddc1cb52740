/**
 * Simulated time. Work that happens later (a DRS pass every interval, a failure declared after
 * missed heartbeats, a migration finishing) is a timer in the world; `advance` fires the due
 * timers in order of time, then of scheduling, setting the clock to each one's time first.
 * Handlers may schedule further timers, including ones due within the same advance. Each timer is
 * a step of its own: what it changed is settled (settle.ts) before the next one fires.
 */
import { MAX_ADVANCE_SECONDS } from "../../schema/common";
import { refuse } from "./errors";
import { preview } from "./preview";
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

/** Refuses an advance that is not a number of seconds from 0 to MAX_ADVANCE_SECONDS, naming the cap. */
export function checkAdvanceSeconds(seconds: unknown): asserts seconds is number {
  const subject = { kind: "Clock", name: "simulation", field: "seconds" };
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
    refuse("InvalidSpec", subject, `must be a finite number of seconds >= 0 (got ${preview(seconds)})`);
  }
  if (seconds > MAX_ADVANCE_SECONDS) {
    refuse("InvalidSpec", subject, `at most ${MAX_ADVANCE_SECONDS} seconds (366 days) per advance (got ${seconds}); advance in several calls`);
  }
}

/** Moves the clock forward by `seconds`, firing every timer that falls due on the way. */
export function advance(txn: Txn, seconds: number): void {
  checkAdvanceSeconds(seconds);
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
