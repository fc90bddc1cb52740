/**
 * Every fast-check property in the suite runs from one fixed seed, so a run tests the same cases on
 * every machine and a failure reproduces: fast-check prints the seed and the shrunk counterexample.
 * Set FC_SEED to explore other cases locally.
 */
import fc from "fast-check";

const seed = process.env.FC_SEED === undefined ? 20261206 : Number(process.env.FC_SEED);
fc.configureGlobal({ seed });
