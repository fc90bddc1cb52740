/**
 * Fuzzing the input contract with fixed seeds: for every kind, valid specs with hostile values
 * planted in them. A refusal has a contract code, a short message and changes nothing; an acceptance
 * round-trips through a fresh open. bench/input-fuzz.vitest.ts runs the same check 100,000 times.
 */
import fc from "fast-check";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUZZ_KINDS, FuzzState, hostileCase } from "../support/hostile-input";
import { tempDir } from "../support/state-file";

/** Cases per kind in the test suite; `FUZZ_CASES` raises it. */
const CASES_PER_KIND = Number(process.env.FUZZ_CASES ?? 2000);
const tmp = tempDir();
const state = new FuzzState(join(tmp.dir, "fuzz.db"));

beforeAll(() => state.reset());
afterAll(async () => {
  await state.close();
  tmp.cleanup();
});

describe("hostile input is refused with a contract code and changes nothing, or round-trips", () => {
  FUZZ_KINDS.forEach((kind, i) => {
    it(`${kind}: ${CASES_PER_KIND} cases`, { timeout: 600_000 }, async () => {
      const outcomes = { accepted: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(hostileCase(kind), async (input) => {
          outcomes[await state.check(input)]++;
        }),
        { seed: 0x16f00d + i, numRuns: CASES_PER_KIND, endOnFailure: true },
      );
      // Both outcomes occur, so the property is exercised on each side.
      expect(outcomes.refused).toBeGreaterThan(0);
      expect(outcomes.accepted).toBeGreaterThan(0);
    });
  });
});
