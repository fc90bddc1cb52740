/** Reads a state file's whole content through a separate connection, to compare before and after. */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";

export function dumpStateFile(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return dumpState(db);
  } finally {
    db.close();
  }
}

/** The same dump through a connection the caller keeps open (many dumps of one file). */
export function dumpState(db: Database.Database): string {
  const queries = {
    state: "SELECT * FROM state",
    objects: "SELECT * FROM objects ORDER BY kind, name",
    events: "SELECT * FROM events ORDER BY seq",
    schema_version: "SELECT * FROM schema_version",
  };
  return JSON.stringify(Object.fromEntries(Object.entries(queries).map(([t, sql]) => [t, db.prepare(sql).all()])));
}

/** A fresh folder for state files, removed by the returned cleanup. */
export function tempDir(prefix = "polyvisor-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Expects `attempt` to be refused with `code` and a message holding every fragment, and the state
 * file at `path` to be byte for byte what it was: a refusal changes nothing.
 */
export async function expectRefusalKeepsFile(
  path: string,
  attempt: () => Promise<unknown>,
  code: string,
  ...fragments: (string | RegExp)[]
): Promise<void> {
  const before = dumpStateFile(path);
  const error = await attempt().then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string },
  );
  expect(error, "the operation should have been refused").toBeInstanceOf(Error);
  expect(error!.code).toBe(code);
  for (const f of fragments) expect(error!.message).toMatch(f);
  expect(dumpStateFile(path)).toBe(before);
}
