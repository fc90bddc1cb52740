import type { z } from "zod";
import { issueField } from "../../../schema/issues";
import { clip } from "./preview";

/** The codes of refused operations, as the public contract names them. */
export type ErrorCode =
  | "InvalidSpec"
  | "NotFound"
  | "Conflict"
  | "Incompatible"
  | "InsufficientCapacity"
  | "AdmissionControl"
  // A server's refusals: no valid token, a role too low, a request body too large.
  | "Unauthorized"
  | "Forbidden"
  | "PayloadTooLarge";

/** Where a refusal points: the object and, when one field is to blame, that field's dotted path. */
export interface ErrorSubject {
  kind: string;
  name: string;
  field?: string;
}

const MAX_REASON_CHARS = 2000;
const MAX_DETAILS = 100;

/**
 * A refused operation. The message names the object, the field and why, so that a Pulumi
 * error or a CLI line is useful on its own; `code` lets programs branch on the cause.
 */
export class PolyvisorError extends Error {
  readonly code: ErrorCode;
  readonly kind: string;
  readonly objectName: string;
  readonly field?: string;
  /** The reason alone, without the code and subject the message starts with. */
  readonly reason: string;
  readonly details: string[];

  constructor(code: ErrorCode, subject: ErrorSubject, reason: string, details: string[] = []) {
    // Subjects and reasons may come from the input: each part is clipped so the message stays short.
    const kind = clip(subject.kind);
    const name = clip(subject.name);
    const field = subject.field === undefined ? undefined : clip(subject.field);
    const where = field ? ` field ${field}:` : "";
    const shown = details.slice(0, MAX_DETAILS).map((d) => clip(d, MAX_REASON_CHARS));
    if (details.length > MAX_DETAILS) shown.push(`... and ${details.length - MAX_DETAILS} more`);
    const list = shown.length ? `\n${shown.map((d) => `  - ${d}`).join("\n")}` : "";
    reason = clip(reason, MAX_REASON_CHARS);
    super(`${code}: ${kind} ${name}:${where} ${reason}${list}`);
    this.name = "PolyvisorError";
    this.code = code;
    this.kind = kind;
    this.objectName = name;
    this.field = field;
    this.reason = reason;
    this.details = shown;
  }
}

export function refuse(code: ErrorCode, subject: ErrorSubject, reason: string, details?: string[]): never {
  throw new PolyvisorError(code, subject, reason, details);
}

/** The first issue zod found in an input, as InvalidSpec naming the field (`whole` when the input itself is wrong). */
export function invalidInput(subject: { kind: string; name: string }, error: z.ZodError, whole: string): PolyvisorError {
  const issue = error.issues[0];
  return new PolyvisorError("InvalidSpec", { ...subject, field: issueField(issue, whole) }, issue.message);
}

export function isPolyvisorError(e: unknown): e is PolyvisorError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === "string" && e.name === "PolyvisorError";
}
