/**
 * A state damaged row by row, or deleted while open, is reported as unusable state naming the row or
 * the file and what to do: never a bare SyntaxError or TypeError, never a write into a deleted file.
 */
import Database from "better-sqlite3";
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Runtime, isStateUnusableError, openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { tempDir } from "../support/state-file";

let tmp: ReturnType<typeof tempDir>;
let path: string;
let rt: Runtime | undefined;

beforeEach(async () => {
  tmp = tempDir();
  path = join(tmp.dir, "state.db");
  const setup = await openRuntime({ path });
  for (const obj of [cluster("prod"), esxHost("esx1"), vm("db1")]) await setup.apply(obj);
  await setup.close();
});

afterEach(async () => {
  await rt?.close();
  rt = undefined;
  tmp.cleanup();
});

function damage(sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error) => e,
  );

describe("damaged rows", () => {
  it("broken JSON in one object's row names the object and the column, for get, list and apply alike", async () => {
    damage("UPDATE objects SET spec = '{\"vcpus\": 2,' WHERE kind = 'VirtualMachine' AND name = 'db1'");
    rt = await openRuntime({ path });
    for (const attempt of [() => rt!.get("Host", "esx1"), () => rt!.list("VirtualMachine"), () => rt!.apply(vm("db2"))]) {
      const e = await failure(attempt());
      expect(isStateUnusableError(e), String(e)).toBe(true);
      expect(e!.message).toContain(path);
      expect(e!.message).toMatch(
        /the VirtualMachine db1 \(table objects\), column spec holds damaged JSON; restore the file from a backup/,
      );
    }
  });

  it("a missing state row says the clock and timers are lost, instead of a TypeError", async () => {
    damage("DELETE FROM state");
    rt = await openRuntime({ path });
    const e = await failure(rt.get("VirtualMachine", "db1"));
    expect(isStateUnusableError(e), String(e)).toBe(true);
    expect(e!.message).toMatch(/the state row \(table state, id 1\) is missing/);
  });

  it("damaged timers name the state row", async () => {
    damage("UPDATE state SET timers = 'not json'");
    rt = await openRuntime({ path });
    expect((await failure(rt.now()))?.message).toMatch(/the state row's timers \(table state, id 1\) holds damaged JSON/);
  });
});

describe("a state file deleted while open", () => {
  it("fails the next write naming the file, and creates no new file", async () => {
    rt = await openRuntime({ path });
    await rt.apply(vm("db2"));
    for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
    const e = await failure(rt.apply(vm("db3")));
    expect(isStateUnusableError(e), String(e)).toBe(true);
    expect(e!.message).toContain(`${path}: the state file was deleted while this runtime had it open`);
    expect(existsSync(path)).toBe(false);
  });

  it("a file replaced under an open runtime fails the next write too", async () => {
    rt = await openRuntime({ path });
    await rt.get("VirtualMachine", "db1");
    renameSync(path, `${path}.old`);
    writeFileSync(path, "");
    const e = await failure(rt.apply(vm("db3")));
    expect(e?.message).toMatch(/was replaced by another file while this runtime had it open/);
  });
});
