import { describe, expect, it } from "vitest";
import { changeWhenCapacityArrives } from "../../provider/concurrency";
import { PolyvisorError } from "../../runtime";

const short = (code: "InsufficientCapacity" | "AdmissionControl" = "InsufficientCapacity") => new PolyvisorError(code, { kind: "ResourcePool", name: "web" }, "does not fit");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("capacity refusals during a deployment", () => {
  it.each(["InsufficientCapacity", "AdmissionControl"] as const)("%s is retried once a concurrent change (a host joining) has landed", async (code) => {
    let capacity = 0;
    const attempts: number[] = [];
    const pool = changeWhenCapacityArrives(async () => {
      attempts.push(capacity);
      if (capacity < 4000) throw short(code);
      return "created";
    });
    const host = changeWhenCapacityArrives(async () => {
      await sleep(50);
      capacity = 41600;
    });
    await expect(pool).resolves.toBe("created");
    await host;
    expect(attempts).toEqual([0, 41600]);
  });

  it("fail with the runtime's message when nothing else is changing", async () => {
    const started = Date.now();
    await expect(changeWhenCapacityArrives(async () => Promise.reject(short()))).rejects.toThrow("InsufficientCapacity: ResourcePool web: does not fit");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("fail, both, when two refused changes are all that is left: a failed retry is not progress", async () => {
    let calls = 0;
    // Each attempt takes a moment, as a runtime call does, so that the deadline below can fire.
    const refused = () => changeWhenCapacityArrives(async () => {
      calls++;
      await sleep(1);
      throw short();
    });
    const outcome = await Promise.race([
      Promise.allSettled([refused(), refused()]),
      sleep(5000).then(() => "still retrying"),
    ]);
    expect(outcome).toEqual([expect.objectContaining({ status: "rejected" }), expect.objectContaining({ status: "rejected" })]);
    expect(calls).toBeLessThanOrEqual(4);
  });

  it("never retry other refusals", async () => {
    let calls = 0;
    const invalid = new PolyvisorError("InvalidSpec", { kind: "VirtualMachine", name: "v" }, "bad");
    await expect(changeWhenCapacityArrives(async () => (calls++, Promise.reject(invalid)))).rejects.toBe(invalid);
    expect(calls).toBe(1);
  });
});
