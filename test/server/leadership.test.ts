/**
 * The controller lease's arithmetic and the leadership loop over it, on an injected clock: one holder
 * at a time, a new epoch for every new term, a paused leader stepping down when it wakes after a
 * takeover. The same lease in PostgreSQL with real servers is in lease-failover.test.ts.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type LeaseRow, claimLease, holdsLease, releaseLease } from "../../runtime/store/lease";
import { type LeaseTable, Leadership } from "../../runtime/server/leadership";

const FREE: LeaseRow = { holder: "", epoch: 0, expiresAtMs: 0 };

describe("lease arithmetic", () => {
  it("a free lease starts epoch 1; its holder renews in the same epoch; another waits until it lapses", () => {
    const a = claimLease(FREE, "a", 1000, 6000)!;
    expect(a).toEqual({ holder: "a", epoch: 1, expiresAtMs: 7000 });
    expect(claimLease(a, "a", 3000, 6000)).toEqual({ holder: "a", epoch: 1, expiresAtMs: 9000 });
    expect(claimLease(a, "b", 6999, 6000)).toBeUndefined();
    expect(claimLease(a, "b", 7000, 6000)).toEqual({ holder: "b", epoch: 2, expiresAtMs: 13000 });
  });

  it("a holder whose lease lapsed starts a new epoch: its old term's writes stay refused", () => {
    const a = claimLease(FREE, "a", 0, 6000)!;
    const again = claimLease(a, "a", 8000, 6000)!;
    expect(again.epoch).toBe(2);
    expect(holdsLease(again, { holder: "a", epoch: 1 }, 8000)).toBe(false);
    expect(holdsLease(again, { holder: "a", epoch: 2 }, 8000)).toBe(true);
  });

  it("holds only with the holder, the epoch and before the end", () => {
    const row = { holder: "a", epoch: 3, expiresAtMs: 5000 };
    expect(holdsLease(row, { holder: "a", epoch: 3 }, 4999)).toBe(true);
    expect(holdsLease(row, { holder: "a", epoch: 3 }, 5000)).toBe(false);
    expect(holdsLease(row, { holder: "a", epoch: 2 }, 1000)).toBe(false);
    expect(holdsLease(row, { holder: "b", epoch: 3 }, 1000)).toBe(false);
  });

  it("a release lets another take over at once, and only the holder's term may release", () => {
    const a = claimLease(FREE, "a", 0, 6000)!;
    expect(releaseLease(a, { holder: "b", epoch: 1 }, 100)).toBeUndefined();
    const released = releaseLease(a, { holder: "a", epoch: 1 }, 100)!;
    expect(claimLease(released, "b", 100, 6000)?.epoch).toBe(2);
  });

  it("any sequence of claims: at most one term holds at any time, and epochs never go back", () => {
    const step = fc.record({ holder: fc.constantFrom("a", "b", "c"), dt: fc.integer({ min: 0, max: 9000 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let row = FREE;
        let now = 0;
        const terms: { holder: string; epoch: number }[] = [];
        for (const { holder, dt } of steps) {
          now += dt;
          const next = claimLease(row, holder, now, 6000);
          if (next) {
            expect(next.epoch).toBeGreaterThanOrEqual(row.epoch);
            row = next;
            if (!terms.some((t) => t.epoch === next.epoch && t.holder === holder)) terms.push({ holder, epoch: next.epoch });
          }
          expect(terms.filter((t) => holdsLease(row, t, now)).length).toBeLessThanOrEqual(1);
          // An epoch belongs to one holder only.
          for (const t of terms) expect(terms.filter((u) => u.epoch === t.epoch).every((u) => u.holder === t.holder)).toBe(true);
        }
      }),
      // The seed is the suite's (test/support/fast-check-seed.ts); a failure prints it.
      { numRuns: 500 },
    );
  });
});

/** The lease row in memory on an injected clock; a server's access to it can be paused (as SIGSTOP would). */
class MemoryLease {
  row: LeaseRow = FREE;
  constructor(private readonly now: () => number) {}

  tableFor(): LeaseTable & { pause(): void; resume(): void } {
    let gate: Promise<void> = Promise.resolve();
    let open: () => void = () => {};
    return {
      claim: async (holder, ttlMs) => {
        await gate;
        const next = claimLease(this.row, holder, this.now(), ttlMs);
        if (next) this.row = next;
        return next ? { leader: true, holder, epoch: next.epoch } : { leader: false, holder: this.row.holder, epoch: this.row.epoch };
      },
      release: async (term) => {
        this.row = releaseLease(this.row, term, this.now()) ?? this.row;
      },
      pause: () => {
        gate = new Promise((resolve) => (open = resolve));
      },
      resume: () => open(),
    };
  }
}

describe("leadership", () => {
  let nowMs = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    nowMs = 0;
  });
  afterEach(() => vi.useRealTimers());

  async function elapse(ms: number) {
    for (let t = 0; t < ms; t += 100) {
      nowMs += 100;
      await vi.advanceTimersByTimeAsync(100);
    }
  }

  /** Moves time in steps of 0.1 s until `done`, failing after `limitMs` of simulated time. */
  async function elapseUntil(done: () => boolean, limitMs = 30_000) {
    for (let t = 0; !done(); t += 100) {
      if (t >= limitMs) throw new Error(`not done after ${limitMs} ms`);
      await elapse(100);
    }
  }

  function server(memory: MemoryLease, holder: string, lines: string[]) {
    const table = memory.tableFor();
    const leading: boolean[] = [];
    const leadership = new Leadership({ lease: table, holder, log: (l) => lines.push(`${holder}: ${l}`), now: () => nowMs });
    leadership.start(async (l) => void leading.push(l));
    return { leadership, table, leading };
  }

  it("one of two servers leads; the other takes over within the lease and a poll when the leader stops answering", async () => {
    const memory = new MemoryLease(() => nowMs);
    const lines: string[] = [];
    const a = server(memory, "a", lines);
    await elapse(100);
    const b = server(memory, "b", lines);
    await elapse(3000);
    expect([a.leadership.status().leader, b.leadership.status().leader]).toEqual([true, false]);

    // a's renewals get no answer (the database hangs): by its own clock its term ends with the lease,
    // so it stops using the term before b can take over; b's next poll then takes epoch 2.
    a.table.pause();
    const pausedAt = nowMs;
    const leaseEnds = memory.row.expiresAtMs;
    await elapseUntil(() => !a.leadership.current());
    expect(nowMs).toBeLessThanOrEqual(leaseEnds);
    await elapseUntil(() => b.leadership.status().leader);
    expect(a.leadership.status().leader).toBe(false);
    expect(nowMs - pausedAt).toBeLessThanOrEqual(6000 + 2000 + 1000 + 100);
    expect(b.leadership.current()).toEqual({ holder: "b", epoch: 2 });

    // a wakes: its renewal of epoch 1 is refused, it steps down and counts the fenced write.
    a.table.resume();
    await elapse(3000);
    expect(a.leadership.status()).toMatchObject({ leader: false, leaseHolder: "b", leaseEpoch: 2, fencedWrites: 1 });
    expect(a.leading).toEqual([true, false]);
    expect(b.leading).toEqual([true]);
    expect(lines.some((l) => l.startsWith("a: lease: stepping down") && l.includes("b holds the lease in epoch 2"))).toBe(true);

    await a.leadership.stop();
    await b.leadership.stop();
    // b gave the lease up on its way out: it has lapsed.
    expect(memory.row.expiresAtMs).toBeLessThanOrEqual(nowMs);
  });

  it("a controller write refused by the fence makes the leader step down at once", async () => {
    const memory = new MemoryLease(() => nowMs);
    const lines: string[] = [];
    const a = server(memory, "a", lines);
    await elapse(100);
    expect(a.leadership.current()?.epoch).toBe(1);
    a.leadership.refused(new Error("epoch 1 is over"));
    await elapse(100);
    expect(a.leadership.status()).toMatchObject({ leader: false, fencedWrites: 1 });
    expect(a.leading).toEqual([true, false]);
    await a.leadership.stop();
  });

  it("a leader cut off from the lease while another took over counts its term as fenced when it is back", async () => {
    const memory = new MemoryLease(() => nowMs);
    const lines: string[] = [];
    let down = false;
    const table = memory.tableFor();
    const a = new Leadership({
      lease: { claim: (h, ttl) => (down ? Promise.reject(new Error("connection reset")) : table.claim(h, ttl)), release: table.release },
      holder: "a",
      log: (l) => lines.push(l),
      now: () => nowMs,
    });
    a.start(async () => {});
    await elapse(100);
    const b = server(memory, "b", lines);
    down = true;
    await elapseUntil(() => b.leadership.status().leader);
    expect(a.status()).toMatchObject({ leader: false, fencedWrites: 0 });
    down = false;
    await elapse(1100);
    expect(a.status()).toMatchObject({ leader: false, fencedWrites: 1, leaseHolder: "b", leaseEpoch: 2 });
    expect(lines).toContain("lease: epoch 1 is over: b holds the lease in epoch 2");
    await a.stop();
    await b.leadership.stop();
  });

  it("a leader that cannot reach the lease steps down, and leads again in its term when it can", async () => {
    const memory = new MemoryLease(() => nowMs);
    const lines: string[] = [];
    let down = false;
    const table = memory.tableFor();
    const leading: boolean[] = [];
    const leadership = new Leadership({
      lease: {
        claim: (h, ttl) => (down ? Promise.reject(new Error("connection refused")) : table.claim(h, ttl)),
        release: table.release,
      },
      holder: "a",
      log: (l) => lines.push(l),
      now: () => nowMs,
    });
    leadership.start(async (l) => void leading.push(l));
    await elapse(100);
    down = true;
    await elapse(2100);
    expect(leadership.status().leader).toBe(false);
    down = false;
    await elapse(1100);
    expect(leadership.current()).toEqual({ holder: "a", epoch: 1 });
    expect(leading).toEqual([true, false, true]);
    expect(lines.some((l) => l.includes("cannot renew the lease of epoch 1 (connection refused)"))).toBe(true);
    await leadership.stop();
  });
});
