import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { changeWhenCapacityArrives } from "../../provider/concurrency";
import { PolyvisorError } from "../../runtime";

const short = (code: "InsufficientCapacity" | "AdmissionControl" = "InsufficientCapacity") =>
  new PolyvisorError(code, { kind: "ResourcePool", name: "web" }, "does not fit");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Simulated timers: the quiet spell after which a refusal stands, and the tests' own waits, elapse
// in the order their times say, however loaded the machine is.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** The outcome of `work` once `ms` of simulated time have passed, "pending" if it has not settled by then. */
async function after<T>(ms: number, work: Promise<T>): Promise<PromiseSettledResult<T> | "pending"> {
  let outcome: PromiseSettledResult<T> | "pending" = "pending";
  void Promise.allSettled([work]).then(([settled]) => (outcome = settled));
  await vi.advanceTimersByTimeAsync(ms);
  return outcome;
}

describe("capacity refusals during a deployment", () => {
  it.each(["InsufficientCapacity", "AdmissionControl"] as const)(
    "%s is retried once a concurrent change (a host joining) has landed",
    async (code) => {
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
      expect(await after(50, pool)).toEqual({ status: "fulfilled", value: "created" });
      await host;
      expect(attempts).toEqual([0, 41600]);
    },
  );

  it("fail with the runtime's message when nothing else is changing", async () => {
    const outcome = await after(
      3000,
      changeWhenCapacityArrives(async () => Promise.reject(short())),
    );
    expect(outcome).toEqual({
      status: "rejected",
      reason: expect.objectContaining({ message: expect.stringContaining("InsufficientCapacity: ResourcePool web: does not fit") }),
    });
  });

  it("fail, both, when two refused changes are all that is left: a failed retry is not progress", async () => {
    let calls = 0;
    // Each attempt takes a moment, as a runtime call does, so that the deadline below can fire.
    const refused = () =>
      changeWhenCapacityArrives(async () => {
        calls++;
        await sleep(1);
        throw short();
      });
    const outcome = await after(5000, Promise.race([Promise.allSettled([refused(), refused()]), sleep(5000).then(() => "still retrying")]));
    expect(outcome).toEqual({
      status: "fulfilled",
      value: [expect.objectContaining({ status: "rejected" }), expect.objectContaining({ status: "rejected" })],
    });
    expect(calls).toBeLessThanOrEqual(4);
  });

  it("wait POLYVISOR_CAPACITY_WAIT_MS for other changes when it is set, and refuse a value that is not a duration", async () => {
    vi.stubEnv("POLYVISOR_CAPACITY_WAIT_MS", "2000");
    try {
      const refused = changeWhenCapacityArrives(async () => Promise.reject(short()));
      expect(await after(1000, refused)).toBe("pending");
      expect(await after(1500, refused)).toMatchObject({ status: "rejected" });
      vi.stubEnv("POLYVISOR_CAPACITY_WAIT_MS", "soon");
      const misconfigured = await after(
        0,
        changeWhenCapacityArrives(async () => Promise.reject(short())),
      );
      expect(misconfigured).toMatchObject({
        status: "rejected",
        reason: {
          code: "InvalidSpec",
          message: expect.stringContaining("POLYVISOR_CAPACITY_WAIT_MS: must be a whole number of milliseconds"),
        },
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("never retry other refusals", async () => {
    let calls = 0;
    const invalid = new PolyvisorError("InvalidSpec", { kind: "VirtualMachine", name: "v" }, "bad");
    await expect(changeWhenCapacityArrives(async () => (calls++, Promise.reject(invalid)))).rejects.toBe(invalid);
    expect(calls).toBe(1);
  });
});
