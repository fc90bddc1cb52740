/** What every kind handler shares: spec validation, create-vs-update guards and change descriptions. */
import type { z } from "zod";
import { refuse } from "../kernel/errors";
import { preview } from "../kernel/preview";
import type { Kind, RuntimeObject } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { issueField } from "../../../schema/issues";

export type ApplyMode = "create" | "update" | "upsert";

/** Data read outside the core for an apply (the core reads no files): validated by the handler that uses it. */
export interface ApplyInputs {
  /** P2V: what the runtime's I/O layer read from each disk's `importFrom` image. */
  diskImages?: unknown;
}

export interface KindHandler {
  apply(txn: Txn, name: string, spec: unknown, mode: ApplyMode, inputs?: ApplyInputs): RuntimeObject;
  delete(txn: Txn, name: string): void;
}

/** Validates a spec against its kind's schema; every problem is listed, the first one names the field. */
export function parseSpec<S extends z.ZodType>(kind: Kind, name: string, schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = documentedBoundsFirst(result.error.issues).map((issue) => {
    const field = issueField(issue, "spec");
    const got = valueAt(raw, issue.path);
    const shown = issue.code === "unrecognized_keys" || got === undefined ? "" : ` (got ${preview(got)})`;
    return { field, text: `${issue.message}${shown}` };
  });
  const [first] = problems;
  refuse(
    "InvalidSpec",
    { kind, name, field: first.field },
    first.text,
    problems.length > 1 ? problems.map((p) => `${p.field}: ${p.text}`) : [],
  );
}

/**
 * zod reports the safe-integer range of an integer before the field's own bound: a user who sent
 * 1e303 should read the documented limit, so a safe-integer issue is dropped when the same
 * field has another.
 */
function documentedBoundsFirst(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const isSafeIntegerBound = (issue: z.core.$ZodIssue) =>
    (issue.code === "too_big" || issue.code === "too_small") &&
    issue.origin === "int" &&
    Math.abs(Number(issue.code === "too_big" ? issue.maximum : issue.minimum)) === Number.MAX_SAFE_INTEGER;
  const pathOf = (issue: z.core.$ZodIssue) => issue.path.map(String).join(".");
  return issues.filter(
    (issue) =>
      !isSafeIntegerBound(issue) ||
      !issues.some((other) => other !== issue && !isSafeIntegerBound(other) && pathOf(other) === pathOf(issue)),
  );
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Optimistic concurrency: a writer that read generation N and sends it back is refused when the
 * object has changed since (or is gone), so its stale copy cannot undo another writer's change.
 */
export function guardGeneration(kind: Kind, name: string, existing: RuntimeObject | undefined, expected: number | undefined): void {
  if (expected === undefined) return;
  if (!existing)
    refuse(
      "Conflict",
      { kind, name, field: "generation" },
      `expected generation ${expected}, but no ${kind} named ${name} exists (deleted since it was read?)`,
    );
  if (existing.generation !== expected) {
    refuse(
      "Conflict",
      { kind, name, field: "generation" },
      `expected generation ${expected}, but the stored object is at generation ${existing.generation}: it changed since it was read; read it again and reapply`,
    );
  }
}

/** Create refuses an existing name; update refuses a missing one. */
export function guardMode(kind: Kind, name: string, existing: RuntimeObject | undefined, mode: ApplyMode): void {
  if (mode === "create" && existing) refuse("Conflict", { kind, name, field: "name" }, `a ${kind} named ${name} already exists`);
  if (mode === "update" && !existing) refuse("NotFound", { kind, name }, `no ${kind} named ${name} exists`);
}

export function requireExisting<T extends RuntimeObject>(txn: Txn, kind: Kind, name: string): T {
  const obj = txn.get<T>(kind, name);
  if (!obj) refuse("NotFound", { kind, name }, `no ${kind} named ${name} exists`);
  return obj;
}

/** The referenced object, or NotFound naming the referring field. */
export function requireReference<T extends RuntimeObject>(
  txn: Txn,
  from: { kind: Kind; name: string; field: string },
  kind: Kind,
  name: string,
): T {
  const obj = txn.get<T>(kind, name);
  if (!obj) refuse("NotFound", from, `${kind} ${name} does not exist`);
  return obj;
}

/** Refuses a deletion while other objects still depend on this one. */
export function refuseIfDependents(kind: Kind, name: string, dependents: string[]): void {
  if (dependents.length > 0) {
    refuse(
      "Conflict",
      { kind, name },
      `cannot delete: still in use by ${dependents.length} object(s); remove or move them first`,
      dependents,
    );
  }
}

/** "memoryMb: 4096 -> 8192; cpu.reservationMhz: 0 -> 1000" */
export function describeChanges(before: unknown, after: unknown, prefix = ""): string[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => describeChanges(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [`${prefix || "spec"}: ${show(before)} -> ${show(after)}`];
}

function show(value: unknown): string {
  return value === undefined ? "(unset)" : JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function sameSpec(a: unknown, b: unknown): boolean {
  return describeChanges(a, b).length === 0;
}
