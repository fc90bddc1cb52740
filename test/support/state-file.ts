/** Reads a state file's whole content through a separate connection, to compare before and after. */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
