/** The server's wall clock: simulated time = wall time x speed, caught up in capped steps, failures reported and survived. */
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { MAX_ADVANCE_SECONDS } from "../../schema";
import { WallClock } from "../../runtime/server/wall-clock";

let wallMs = 0;
beforeEach(() => {
  vi.useFakeTimers();
  wallMs = 0;
});
afterEach(() => vi.useRealTimers());

/** Moves wall time and fires the ticks due, letting each advance settle. */
async function elapse(ms: number, tickMs: number) {
  for (let t = 0; t < ms; t += tickMs) {
    wallMs += tickMs;
    await vi.advanceTimersByTimeAsync(tickMs);
  }
}

it("advances by the wall time elapsed times the speed", async () => {
  const advanced: number[] = [];
  const clock = new WallClock({
    speed: 60,
    tickMs: 250,
    now: () => wallMs,
    advance: async (s) => void advanced.push(s),
    onError: () => expect.unreachable(),
  });
  clock.start();
  await elapse(2000, 250);
  await clock.stop();
  expect(advanced).toHaveLength(8);
  expect(advanced.reduce((a, b) => a + b, 0)).toBeCloseTo(120, 9);
});

it("a paused clock never advances on its own", async () => {
  const advance = vi.fn(async () => undefined);
  const clock = new WallClock({ speed: 0, tickMs: 250, now: () => wallMs, advance, onError: () => undefined });
  clock.start();
  await elapse(5000, 250);
  await clock.stop();
  expect(advance).not.toHaveBeenCalled();
  expect(clock.paused).toBe(true);
});

it("a long stall is caught up in steps no longer than the advance cap", async () => {
  const advanced: number[] = [];
  const clock = new WallClock({
    speed: 1_000_000,
    tickMs: 1000,
    now: () => wallMs,
    advance: async (s) => void advanced.push(s),
    onError: () => expect.unreachable(),
  });
  clock.start();
  wallMs += 99_000; // the process was stopped for 99 s: 99,000,000 simulated seconds are owed
  await elapse(1000, 1000);
  await clock.stop();
  expect(Math.max(...advanced)).toBeLessThanOrEqual(MAX_ADVANCE_SECONDS);
  expect(advanced.reduce((a, b) => a + b, 0)).toBeCloseTo(100_000_000, 0);
});

it("a failed tick is reported and the clock goes on", async () => {
  const errors: unknown[] = [];
  let calls = 0;
  const clock = new WallClock({
    speed: 1,
    tickMs: 500,
    now: () => wallMs,
    advance: async () => {
      if (++calls === 1) throw new Error("store busy");
    },
    onError: (e) => errors.push(e),
  });
  clock.start();
  await elapse(1500, 500);
  await clock.stop();
  expect(errors).toEqual([new Error("store busy")]);
  expect(calls).toBe(3);
});

it("an inactive clock (another server leads) never ticks, whatever its speed; made active it drives from then on", async () => {
  const advanced: number[] = [];
  const clock = new WallClock({
    speed: 10,
    tickMs: 250,
    active: false,
    now: () => wallMs,
    advance: async (s) => void advanced.push(s),
    onError: () => expect.unreachable(),
  });
  clock.start();
  await elapse(1000, 250);
  await clock.setSpeed(20);
  await elapse(1000, 250);
  expect(advanced).toEqual([]);
  await clock.setActive(true);
  await elapse(1000, 250);
  await clock.setActive(false);
  await elapse(1000, 250);
  await clock.stop();
  // 1 s of wall time at speed 20, none of the time it was inactive caught up.
  expect(advanced.reduce((a, b) => a + b, 0)).toBeCloseTo(20, 9);
});
