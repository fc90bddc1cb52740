/**
 * Simulated time. Work that happens later (a DRS pass every interval, a failure declared after
 * missed heartbeats, a migration finishing) is a timer in the world; `advance` fires the due
 * timers in order of time, then of scheduling, setting the clock to each one's time first.
 * Handlers may schedule further timers, including ones due within the same advance. Each timer is
 * a step of its own: what it changed is settled (settle.ts) before the next one fires.
 *
 * Nothing the runtime does on its own may stop the clock: a step that throws has its changes dropped
 * (Txn.dropStep), a StepFailed event names the object and the reason, its task's `recover` (if any)
 * keeps the work going (the next DRS pass, a landing abandoned), and the advance goes on.
 *
 * Timers are set with schedule (timers.ts); what each task does comes from the table the caller
 * passes, the runtime's being RUNTIME_TIMELINE (timer-handlers.ts).
 */
import { MAX_ADVANCE_SECONDS } from "../../../schema/common";
import { refuse } from "./errors";
import type { Timer } from "./model";
import { preview } from "./preview";
import type { Timeline, TimerHandler } from "./timers";
import type { Txn } from "./txn";

/** Longest reason a StepFailed event quotes. */
const MAX_REASON_CHARS = 400;

function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.length <= MAX_REASON_CHARS ? text : `${text.slice(0, MAX_REASON_CHARS)}...`;
}

/** Runs one step of an advance; true when it completed, false when it threw and its changes were dropped. */
function runStep(txn: Txn, timer: Timer, step: TimerHandler, settleStep: Timeline["settleStep"], what: string): boolean {
  const mark = txn.beginStep();
  try {
    step(txn, timer);
    settleStep(txn);
    txn.endStep();
    return true;
  } catch (e) {
    txn.dropStep(mark);
    txn.emit(timer.kind, timer.name, "StepFailed", `${what} failed and its changes were dropped: ${reasonOf(e)}`);
    return false;
  }
}

/** Refuses an advance that is not a number of seconds from 0 to MAX_ADVANCE_SECONDS, naming the cap. */
export function checkAdvanceSeconds(seconds: unknown): asserts seconds is number {
  const subject = { kind: "Clock", name: "simulation", field: "seconds" };
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
    refuse("InvalidSpec", subject, `must be a finite number of seconds >= 0 (got ${preview(seconds)})`);
  }
  if (seconds > MAX_ADVANCE_SECONDS) {
    refuse(
      "InvalidSpec",
      subject,
      `at most ${MAX_ADVANCE_SECONDS} seconds (366 days) per advance (got ${seconds}); advance in several calls`,
    );
  }
}

/** Moves the clock forward by `seconds`, firing every timer that falls due on the way through the timeline's handlers. */
export function advance(txn: Txn, seconds: number, { handlers, settleStep }: Timeline): void {
  checkAdvanceSeconds(seconds);
  const end = txn.clockSeconds + seconds;
  for (let timer = txn.takeTimerDueBy(end); timer; timer = txn.takeTimerDueBy(end)) {
    txn.clockSeconds = Math.max(txn.clockSeconds, timer.at);
    // A stored task may name no handler (a file written by another version): never read one off the prototype.
    const handler = Object.hasOwn(handlers, timer.task) ? handlers[timer.task] : undefined;
    if (!handler) {
      txn.emit(timer.kind, timer.name, "StepFailed", `timer task ${timer.task} has no handler: dropped`);
      continue;
    }
    if (!runStep(txn, timer, handler.run, settleStep, timer.task) && handler.recover) {
      runStep(txn, timer, handler.recover, settleStep, `recovery of ${timer.task}`);
    }
  }
  txn.clockSeconds = end;
}
