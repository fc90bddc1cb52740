/**
 * Property runs in the test suite are reproducible: every fc.assert uses one fixed seed unless
 * FC_SEED names another; `npm run explore` sets FC_EXPLORE=1 to draw a fresh seed per run instead.
 * fast-check reports the seed and the shrunk path of any counterexample in the failure message; turn
 * each one into a named regression test.
 */
import fc from "fast-check";

const FIXED_SEED = 20061;

function chosenSeed(): number | undefined {
  const given = process.env.FC_SEED;
  if (given !== undefined && given !== "") {
    const seed = Number(given);
    if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer (got ${given.slice(0, 40)})`);
    return seed;
  }
  return process.env.FC_EXPLORE === "1" ? undefined : FIXED_SEED;
}

const seed = chosenSeed();
fc.configureGlobal(seed === undefined ? {} : { seed });
