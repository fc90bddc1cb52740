import { describe, expect, it } from "vitest";
import { World } from "../../runtime/core/model";
import { advance, registerTimerHandler, schedule } from "../../runtime/core/timeline";
import { Txn } from "../../runtime/core/txn";

const fired: string[] = [];
registerTimerHandler("test.record", (txn, timer) => {
  fired.push(`${timer.name}@${txn.clockSeconds}`);
  const again = (timer.data as { again?: number } | undefined)?.again;
  if (again !== undefined) schedule(txn, txn.clockSeconds + again, "test.record", { kind: "Cluster", name: `${timer.name}+` });
});

function freshTxn(): Txn {
  return new Txn(new World({ clockSeconds: 100, randomState: 1, timers: [], nextTimerSeq: 0 }));
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
    const world = new World({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 });
    const txn = new Txn(world);
    schedule(txn, 10, "test.record", { kind: "Cluster", name: "x" });
    expect(world.meta.timers).toEqual([]);
    world.applyChanges(txn.changes());
    expect(world.meta.timers.map((t) => t.name)).toEqual(["x"]);
  });

  it("refuses to go backwards", () => {
    expect(() => advance(freshTxn(), -1)).toThrow(/InvalidSpec: Clock simulation: field seconds: must be a finite number of seconds >= 0/);
  });
});
