/** Refusals on the wire: the HTTP status of each code, the JSON error body, and zod issues as InvalidSpec. */
import type { z } from "zod";
import { type ErrorCode, PolyvisorError, isPolyvisorError } from "../api";
import type { ErrorBody } from "./routes";
import { issueField } from "../../schema/issues";

export const STATUS_OF: Record<ErrorCode, number> = {
  InvalidSpec: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  Incompatible: 422,
  InsufficientCapacity: 422,
  AdmissionControl: 422,
};

/** A message never carries an unbounded value: long ones are cut with a mark. */
export const MAX_MESSAGE_CHARS = 4000;

export function bounded(text: string, max = MAX_MESSAGE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 15)}... (truncated)`;
}

export function errorBody(e: PolyvisorError): ErrorBody {
  return {
    code: e.code,
    message: bounded(e.message),
    kind: bounded(e.kind, 200),
    name: bounded(e.objectName, 200),
    ...(e.field === undefined ? {} : { field: bounded(e.field, 200) }),
  };
}

/** The refusal a server answers when no valid token came with the request. */
export function unauthorized(): PolyvisorError {
  return new PolyvisorError(
    "Unauthorized",
    { kind: "Token", name: "request" },
    "a valid token is required: Authorization: Bearer TOKEN (create one with `polyvisor token create`)",
  );
}

/** The first zod issue of a request part as InvalidSpec, naming the field (an unknown key by its name). */
export function invalidRequest(part: string, where: { kind: string; name: string }, error: z.ZodError): PolyvisorError {
  const issue = error.issues[0];
  // Fields are named as the runtime names them: `kind`, `mode`, `seconds`; the request part only when the whole part is wrong.
  const field = issueField(issue, part);
  const reason = issue.code === "unrecognized_keys" ? "unknown field" : issue.message;
  return new PolyvisorError("InvalidSpec", { kind: where.kind, name: where.name, field: bounded(field, 200) }, bounded(reason, 500));
}

export { PolyvisorError, isPolyvisorError };
