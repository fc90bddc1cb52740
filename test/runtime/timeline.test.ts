import { describe, expect, it } from "vitest";
import type { Kind } from "../../runtime/core/kernel/model";
import { advance as advanceWith } from "../../runtime/core/kernel/timeline";
import type { Timeline } from "../../runtime/core/kernel/timers";
import { Txn } from "../../runtime/core/kernel/txn";
import { createWorld } from "../../runtime/core/world-setup";

/** Sets a timer for one of this file's own tasks (the runtime's schedule takes only the runtime's). */
function schedule(txn: Txn, at: number, task: string, target: { kind: Kind; name: string }, data?: unknown): void {
  txn.addTimer({ at, task, kind: target.kind, name: target.name, ...(data === undefined ? {} : { data }) });
}

const fired: string[] = [];
/** The clock at each settled step: the timeline settles a step that completed, never one that threw. */
const settledAt: number[] = [];
const HANDLERS: Timeline["handlers"] = {
  "test.record": {
    run: (txn, timer) => {
      fired.push(`${timer.name}@${txn.clockSeconds}`);
      const again = (timer.data as { again?: number } | undefined)?.again;
      if (again !== undefined) schedule(txn, txn.clockSeconds + again, "test.record", { kind: "Cluster", name: `${timer.name}+` });
    },
  },
  /** A step that changes the world in every way a step can (an object, an index, an event, a timer, a random draw), then fails. */
  "test.fail": {
    run: (txn, timer) => {
      txn.put({ kind: "Host", name: "half-written", spec: { cluster: "prod" }, status: {}, generation: 1 });
      txn.emit("Host", "half-written", "Written", "before the failure");
      schedule(txn, txn.clockSeconds + 1, "test.record", { kind: "Cluster", name: "from-failed-step" });
      txn.random.next();
      throw new Error(`unexpected state in ${timer.name}`);
    },
    recover: (txn, timer) => schedule(txn, txn.clockSeconds + 5, "test.record", { kind: "Cluster", name: `${timer.name}-recovered` }),
  },
};

const TIMELINE: Timeline = { handlers: HANDLERS, settleStep: (txn) => settledAt.push(txn.clockSeconds) };
const advance = (txn: Txn, seconds: number) => advanceWith(txn, seconds, TIMELINE);

function freshTxn(): Txn {
  return new Txn(createWorld({ clockSeconds: 100, randomState: 1, timers: [], nextTimerSeq: 0 }));
}

describe("simulated time", () => {
  it("fires due timers in time order, ties in scheduling order, and stops at the end", () => {
    fired.length = 0;
    const txn = freshTxn();
    schedule(txn, 130, "test.record", { kind: "Cluster", name: "c" });
    schedule(txn, 110, "test.record", { kind: "Cluster", name: "a" });
    schedule(txn, 130, "test.record", { kind: "Cluster", name: "d" });
    schedule(txn, 120, "test.record", { kind: "Cluster", name: "b" }, { again: 5 });
    schedule(txn, 200, "test.record", { kind: "Cluster", name: "late" });
    advance(txn, 30);
    expect(fired).toEqual(["a@110", "b@120", "b+@125", "c@130", "d@130"]);
    expect(txn.clockSeconds).toBe(130);
    expect(txn.pendingTimers.map((t) => t.name)).toEqual(["late"]);
  });

  it("leaves the world's timers untouched until committed", () => {
    const world = createWorld({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 });
    const txn = new Txn(world);
    schedule(txn, 10, "test.record", { kind: "Cluster", name: "x" });
    expect(world.meta.timers).toEqual([]);
    world.applyChanges(txn.changes());
    expect(world.meta.timers.map((t) => t.name)).toEqual(["x"]);
  });

  it("refuses to go backwards", () => {
    expect(() => advance(freshTxn(), -1)).toThrow(/InvalidSpec: Clock simulation: field seconds: must be a finite number of seconds >= 0/);
  });

  it("drops the changes of a step that throws, records why on its object, recovers, and goes on", () => {
    fired.length = 0;
    settledAt.length = 0;
    const txn = freshTxn();
    schedule(txn, 110, "test.record", { kind: "Cluster", name: "before" });
    schedule(txn, 120, "test.fail", { kind: "Cluster", name: "prod" });
    schedule(txn, 130, "test.record", { kind: "Cluster", name: "after" });
    const randomBefore = txn.random.seedState;
    advance(txn, 60);
    expect(fired).toEqual(["before@110", "prod-recovered@125", "after@130"]);
    // The failed step at 120 is not settled; its recovery is.
    expect(settledAt).toEqual([110, 120, 125, 130]);
    expect(txn.clockSeconds).toBe(160);
    expect(txn.get("Host", "half-written")).toBeUndefined();
    expect(txn.related("hostsInCluster", "prod")).toEqual([]);
    expect(txn.random.seedState).toBe(randomBefore);
    expect(txn.events.map((e) => [e.kind, e.name, e.reason])).toEqual([["Cluster", "prod", "StepFailed"]]);
    expect(txn.events[0].message).toBe("test.fail failed and its changes were dropped: unexpected state in prod");
    expect(txn.changes().puts).toEqual([]);
  });

  it("drops a timer whose task has no handler, even one named like an object's own property, and goes on", () => {
    fired.length = 0;
    const txn = freshTxn();
    schedule(txn, 110, "toString", { kind: "Cluster", name: "odd" });
    schedule(txn, 120, "test.record", { kind: "Cluster", name: "after" });
    advance(txn, 30);
    expect(fired).toEqual(["after@120"]);
    expect(txn.events.map((e) => [e.name, e.reason, e.message])).toEqual([
      ["odd", "StepFailed", "timer task toString has no handler: dropped"],
    ]);
  });
});
