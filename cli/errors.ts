/**
 * How the CLI ends: 0 success, 1 a refused operation, 2 bad usage, 3 the state cannot be used. An
 * error is one line on stderr (one JSON object under --json), never a stack trace, and never longer
 * than MAX_ERROR_CHARS whatever the input echoed in it.
 */
import { isPolyvisorError, isStateUnusableError } from "../runtime/api";
import { clip } from "./format";
import { UsageError } from "./usage-error";

export { UsageError };

export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;
export const EXIT_STATE = 3;

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the runtime refused the operation (InvalidSpec, NotFound, Conflict, Incompatible,
     InsufficientCapacity, AdmissionControl)
  2  bad usage: an unknown command or option, a malformed argument
  3  the state cannot be used: not a Polyvisor state, damaged, from a newer release, unreachable`;

const MAX_ERROR_CHARS = 2000;

export interface ErrorReport {
  exitCode: number;
  /** What to print; null when the command already said what went wrong. */
  json: Record<string, unknown> | null;
  line: string;
}

/** The command printed its own account of what was refused (apply's per-object lines): only the exit code is left. */
export class AlreadyReported extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** Classifies an error as the CLI reports it. */
export function describeError(e: unknown): ErrorReport {
  if (e instanceof AlreadyReported) return { exitCode: e.exitCode, json: null, line: "" };
  if (isStateUnusableError(e)) {
    return {
      exitCode: EXIT_STATE,
      json: { code: e.code, message: clip(e.message, MAX_ERROR_CHARS), location: e.location, reason: e.reason, remedy: e.remedy ?? null },
      line: `polyvisor: state ${e.message}`,
    };
  }
  if (isPolyvisorError(e)) {
    return {
      exitCode: EXIT_REFUSED,
      json: { code: e.code, message: clip(e.message, MAX_ERROR_CHARS), kind: e.kind, name: e.objectName, field: e.field ?? null },
      line: e.message,
    };
  }
  if (e instanceof UsageError) {
    return { exitCode: EXIT_USAGE, json: { code: "Usage", message: clip(e.message, MAX_ERROR_CHARS) }, line: `polyvisor: ${e.message}` };
  }
  const message = e instanceof Error ? e.message : String(e);
  return {
    exitCode: EXIT_REFUSED,
    json: { code: "Internal", message: clip(message, MAX_ERROR_CHARS) },
    line: `polyvisor: unexpected error: ${message}`,
  };
}

export function writeError(report: Pick<ErrorReport, "json" | "line">, json: boolean): void {
  if (report.json === null) return;
  process.stderr.write(`${json ? JSON.stringify(report.json) : clip(report.line, MAX_ERROR_CHARS)}\n`);
}
