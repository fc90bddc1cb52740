/**
 * The input-contract fuzz at scale, on SQLite: the check of test/runtime/input-fuzz.property.test.ts over
 * 100,000 cases (FUZZ_CASES to change it), spread evenly over the kinds, with a seed per run printed
 * so a failure can be replayed (FUZZ_SEED). Prints cases per second and how many were refused.
 * `npx vitest run --config bench/vitest.config.mts bench/input-fuzz.vitest.ts`
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { FUZZ_KINDS, FuzzState, hostileCase } from "../test/support/hostile-input";
import { sqliteUnderTest } from "../test/support/stores";

const TOTAL = Number(process.env.FUZZ_CASES ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 0x7fffffff);

it(`input contract: ${TOTAL} hostile cases`, { timeout: 3_600_000 }, async () => {
  const store = sqliteUnderTest();
  const state = new FuzzState(store);
  await state.reset();
  const outcomes = { accepted: 0, refused: 0 };
  const start = performance.now();
  try {
    for (const [i, kind] of FUZZ_KINDS.entries()) {
      await fc.assert(
        fc.asyncProperty(hostileCase(kind), async (input) => {
          outcomes[await state.check(input)]++;
        }),
        { seed: SEED + i, numRuns: Math.ceil(TOTAL / FUZZ_KINDS.length), endOnFailure: true },
      );
    }
  } finally {
    await state.close();
    await store.cleanup();
  }
  const seconds = (performance.now() - start) / 1000;
  const cases = outcomes.accepted + outcomes.refused;
  console.log(
    `\n## Input contract fuzz (seed ${SEED})\n${cases} cases in ${seconds.toFixed(1)} s (${(cases / seconds).toFixed(0)}/s): ${outcomes.refused} refused with a contract code and nothing changed, ${outcomes.accepted} accepted and round-tripped; 0 violations`,
  );
  expect(cases).toBeGreaterThanOrEqual(TOTAL);
});
