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
