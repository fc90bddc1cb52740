/**
 * Fuzzing the input contract with fixed seeds: for every kind, valid specs with hostile values
 * planted in them. A refusal has a contract code, a short message and changes nothing; an acceptance
 * round-trips through a fresh open. SQLite takes 2,000 cases per kind; PostgreSQL, where every dump is
 * a round trip to the server, 300 per kind (`FUZZ_CASES` / `FUZZ_CASES_POSTGRES` change them). The
 * PostgreSQL half runs as the store contract suite does (test/support/postgres.ts): skipped without a
 * server, except in CI where that fails. bench/input-fuzz.vitest.ts runs the check 100,000 times.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUZZ_KINDS, FuzzState, hostileCase } from "../support/hostile-input";
import { NO_POSTGRES, type TestPostgres, postgresExpected, startTestPostgres } from "../support/postgres";
import { type StoreUnderTest, postgresUnderTest, sqliteUnderTest } from "../support/stores";

let server: TestPostgres | undefined;

beforeAll(async () => {
  server = await startTestPostgres();
  if (!server && process.env.CI) throw new Error(`${NO_POSTGRES}; the PostgreSQL fuzz must run in CI`);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

function fuzz(makeStore: () => StoreUnderTest, casesPerKind: number) {
  let store: StoreUnderTest;
  let state: FuzzState;
  beforeAll(async () => {
    store = makeStore();
    state = new FuzzState(store);
    await state.reset();
  }, 120_000);
  afterAll(async () => {
    await state?.close();
    await store?.cleanup();
  });

  FUZZ_KINDS.forEach((kind, i) => {
    it(`${kind}: ${casesPerKind} cases`, { timeout: 600_000 }, async () => {
      const outcomes = { accepted: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(hostileCase(kind), async (input) => {
          outcomes[await state.check(input)]++;
        }),
        { seed: 0x16f00d + i, numRuns: casesPerKind, endOnFailure: true },
      );
      // Both outcomes occur, so the property is exercised on each side.
      expect(outcomes.refused).toBeGreaterThan(0);
      expect(outcomes.accepted).toBeGreaterThan(0);
    });
  });
}

describe("SQLite: hostile input is refused with a contract code and changes nothing, or round-trips", () =>
  fuzz(sqliteUnderTest, Number(process.env.FUZZ_CASES ?? 2000)));

describe.skipIf(!postgresExpected())("PostgreSQL: the same", () =>
  fuzz(
    () => {
      if (!server) throw new Error(NO_POSTGRES);
      return postgresUnderTest(server);
    },
    Number(process.env.FUZZ_CASES_POSTGRES ?? 300),
  ),
);
