/**
 * What lies at a state file's path, judged from its bytes before SQLite touches it: a state file
 * must never be written unless it is ours, and opening it must not be what damages it. SQLite's
 * header (https://www.sqlite.org/fileformat.html, section 1.3) gives the page size, the page count
 * and the application id that marks the file as Polyvisor's.
 */
import type Database from "better-sqlite3";
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { StateUnusableError, isStateUnusableError } from "./state-error";

/** "Plyv": written into every Polyvisor state file's header (PRAGMA application_id). */
export const POLYVISOR_APPLICATION_ID = 0x506c7976;

const SQLITE_MAGIC = "SQLite format 3\0";
const HEADER_BYTES = 100;
/** Files SQLite keeps beside a database: the write-ahead log, its index, a rollback journal. */
export const SIDECAR_SUFFIXES = ["-wal", "-shm", "-journal"] as const;

export type StateFileKind =
  /** Nothing at the path: a new state may be created there. */
  | { kind: "absent" }
  /**
   * A file of zero bytes: nothing to lose, and what another process creating a state leaves for a
   * moment before its first commit, so a state may be created in it.
   */
  | { kind: "empty" }
  /** A SQLite database marked as ours. */
  | { kind: "polyvisor" }
  /** A SQLite database without any application id: ours only if it holds Polyvisor's tables. */
  | { kind: "unmarked" };

function unusable(path: string, reason: string, remedy?: string): never {
  throw new StateUnusableError(path, reason, remedy);
}

function readHeader(path: string, size: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const header = Buffer.alloc(Math.min(HEADER_BYTES, size));
    readSync(fd, header, 0, header.length, 0);
    return header;
  } finally {
    closeSync(fd);
  }
}

/** Mostly printable UTF-8: someone's notes or configuration rather than a database. */
function looksLikeText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  const printable = [...bytes].filter((b) => b === 9 || b === 10 || b === 13 || b >= 32).length;
  return printable >= bytes.length * 0.95;
}

const NOT_OURS_REMEDY = "give --state a Polyvisor state file, or a path where none exists yet";

/** Judges the file at `path` without writing anything; throws StateUnusableError for anything but a usable state. */
export function inspectStateFile(path: string): StateFileKind {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { kind: "absent" };
    unusable(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`, "check the path and its permissions");
  }
  if (stats.isDirectory()) unusable(path, "is a directory, not a state file", "give --state a file path");
  if (!stats.isFile()) unusable(path, "is not a regular file", NOT_OURS_REMEDY);
  if (stats.size === 0) return { kind: "empty" };
  let header: Buffer;
  try {
    header = readHeader(path, stats.size);
  } catch (e) {
    unusable(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`, "check the file's permissions");
  }
  if (header.subarray(0, SQLITE_MAGIC.length).toString("latin1") !== SQLITE_MAGIC) {
    const what = looksLikeText(header) ? "is a text file" : "holds unknown bytes";
    unusable(path, `${what}, not a Polyvisor state file`, NOT_OURS_REMEDY);
  }
  if (header.length < HEADER_BYTES)
    unusable(path, `is truncated: ${stats.size} bytes, shorter than a SQLite header`, "restore it from a backup");
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
  const pages = header.readUInt32BE(28);
  // The page count is valid only when the "version valid for" number matches the change counter.
  const pageCountValid = header.readUInt32BE(92) === header.readUInt32BE(24);
  if (stats.size % pageSize !== 0 || (pageCountValid && stats.size < pages * pageSize)) {
    const expected = pageCountValid ? `${pages * pageSize} bytes` : `a multiple of ${pageSize} bytes`;
    unusable(path, `is truncated: ${stats.size} bytes where the header promises ${expected}`, "restore it from a backup");
  }
  const applicationId = header.readUInt32BE(68);
  if (applicationId === POLYVISOR_APPLICATION_ID) return { kind: "polyvisor" };
  if (applicationId !== 0) unusable(path, `is another application's SQLite database (application id ${applicationId})`, NOT_OURS_REMEDY);
  return { kind: "unmarked" };
}

/** The sidecar files present beside `path` now, so that those an open attempt creates can be removed. */
export function existingSidecars(path: string): Set<string> {
  return new Set(SIDECAR_SUFFIXES.map((s) => path + s).filter((p) => existsSync(p)));
}

/** Removes the sidecars that were not there before a failed open: nothing is left beside a file we could not use. */
export function removeNewSidecars(path: string, before: Set<string>): void {
  for (const sidecar of SIDECAR_SUFFIXES.map((s) => path + s)) {
    if (!before.has(sidecar)) rmSync(sidecar, { force: true });
  }
}

/** The tables every Polyvisor state has had since its first schema. */
const POLYVISOR_TABLES = ["events", "objects", "schema_version", "state"];

/**
 * A SQLite file without an application id is ours only if it has Polyvisor's tables (a state
 * written before files were marked); anything else belongs to someone else and is left alone.
 */
export function checkUnmarkedIsOurs(db: Database.Database, path: string): void {
  const id = db.pragma("application_id", { simple: true }) as number;
  if (id === POLYVISOR_APPLICATION_ID) return;
  if (id !== 0) throw new StateUnusableError(path, `is another application's SQLite database (application id ${id})`, NOT_OURS_REMEDY);
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((t) => t.name);
  if (POLYVISOR_TABLES.every((t) => tables.includes(t))) return;
  const listed = tables.length === 0 ? "no tables" : `tables ${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", ..." : ""}`;
  throw new StateUnusableError(path, `is a SQLite database that is not a Polyvisor state (${listed})`, NOT_OURS_REMEDY);
}

/** SQLite's own verdicts on a file, as the one-line reasons a user can act on. */
const SQLITE_REASONS: Record<string, [string, string]> = {
  SQLITE_CORRUPT: ["is damaged", "restore it from a backup"],
  SQLITE_NOTADB: ["is not a SQLite database", NOT_OURS_REMEDY],
  SQLITE_CANTOPEN: ["cannot be opened", "check the path and its permissions"],
  SQLITE_BUSY: ["is locked by another process", "retry when it is done"],
  SQLITE_READONLY: ["is read-only", "check its permissions"],
  SQLITE_PERM: ["cannot be written", "check its permissions"],
  SQLITE_FULL: ["cannot grow: the disk is full", "free some space"],
};

export function asStateUnusable(path: string, e: unknown): unknown {
  if (isStateUnusableError(e)) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("SQLITE_")) {
    const [reason, remedy] = SQLITE_REASONS[code] ??
      SQLITE_REASONS[code.replace(/_[A-Z]+$/, "")] ?? [`cannot be used (${code})`, "restore it from a backup"];
    return new StateUnusableError(path, reason, remedy);
  }
  const errno = (e as NodeJS.ErrnoException).code;
  if (typeof errno === "string" && /^E[A-Z]+$/.test(errno))
    return new StateUnusableError(path, `cannot be created (${errno})`, "check the path and its permissions");
  return e;
}
