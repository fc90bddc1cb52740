/** Validation of what-if steps at the runtime's boundary (runtime/core/what-if.ts runs them). */
import { z } from "zod";
import { invalidInput, refuse } from "./core/kernel/errors";
import type { WhatIfStep } from "./core/what-if";
import { MAX_ADVANCE_SECONDS } from "../schema/common";

/** The most steps one what-if runs: bounds its time. */
export const MAX_WHAT_IF_STEPS = 1000;

const Name = z.string().min(1).max(80);
const Step = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("failHost"), host: Name, mode: z.enum(["crash", "isolation"]).optional() }),
  z.strictObject({ type: z.literal("recoverHost"), host: Name }),
  z.strictObject({ type: z.literal("addHost"), name: Name, spec: z.record(z.string(), z.unknown()) }),
  z.strictObject({ type: z.literal("removeHost"), name: Name }),
  z.strictObject({ type: z.literal("advance"), seconds: z.number().min(0).max(MAX_ADVANCE_SECONDS) }),
  z.strictObject({ type: z.literal("apply"), kind: z.string().max(40), name: Name, spec: z.record(z.string(), z.unknown()) }),
  z.strictObject({ type: z.literal("delete"), kind: z.string().max(40), name: Name }),
]);

export function checkWhatIfSteps(steps: unknown): WhatIfStep[] {
  if (!Array.isArray(steps) || steps.length > MAX_WHAT_IF_STEPS) {
    refuse("InvalidSpec", { kind: "WhatIf", name: "steps", field: "steps" }, `must be an array of at most ${MAX_WHAT_IF_STEPS} steps`);
  }
  return steps.map((step, i) => {
    const parsed = Step.safeParse(step);
    if (parsed.success) return parsed.data as WhatIfStep;
    throw invalidInput({ kind: "WhatIf", name: `step ${i}` }, parsed.error, "step");
  });
}
