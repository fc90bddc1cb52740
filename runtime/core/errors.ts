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

const MAX_NAME_CHARS = 100;
const MAX_REASON_CHARS = 1000;
const MAX_DETAILS = 50;

/** At most `max` characters, the cut marked with an ellipsis. */
function bounded(text: string, max: number): string {
  const s = String(text);
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

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
    // Names, fields and reasons can carry what a caller sent: a refusal never echoes more than a short prefix.
    subject = { kind: bounded(subject.kind, MAX_NAME_CHARS), name: bounded(subject.name, MAX_NAME_CHARS), ...(subject.field === undefined ? {} : { field: bounded(subject.field, MAX_NAME_CHARS) }) };
    reason = bounded(reason, MAX_REASON_CHARS);
    details = details.slice(0, MAX_DETAILS).map((d) => bounded(d, MAX_REASON_CHARS));
    const where = subject.field ? ` field ${subject.field}:` : "";
    const list = details.length ? "\n" + details.map((d) => `  - ${d}`).join("\n") : "";
    super(`${code}: ${subject.kind} ${subject.name}:${where} ${reason}${list}`);
    this.name = "PolyvisorError";
    this.code = code;
    this.kind = subject.kind;
    this.objectName = subject.name;
    this.field = subject.field;
    this.reason = reason;
    this.details = details;
  }
}

export function refuse(code: ErrorCode, subject: ErrorSubject, reason: string, details?: string[]): never {
  throw new PolyvisorError(code, subject, reason, details);
}

export function isPolyvisorError(e: unknown): e is PolyvisorError {
  return e instanceof Error && typeof (e as { code?: unknown }).code === "string" && e.name === "PolyvisorError";
}
