/** Timing one `pulumi up` through the engine harness, then destroying what it made for the next round. */
import { expect } from "vitest";
import type { PulumiEngine, Program } from "../test/harness/engine";

export async function timeUp(engine: PulumiEngine, program: Program): Promise<number> {
  const started = process.hrtime.bigint();
  const result = await engine.up(program);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  expect(result.errors).toEqual([]);
  await engine.destroy();
  return seconds;
}
