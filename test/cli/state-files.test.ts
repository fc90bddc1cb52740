/**
 * State files that cannot be used: each is refused with one line naming the file, what is wrong and
 * what to do, exit code 3, the file left byte-identical and nothing created beside it.
 */
import Database from "better-sqlite3";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { POLYVISOR_APPLICATION_ID } from "../../runtime/store/sqlite-file";
import { SQLITE_MIGRATIONS } from "../../runtime/store/sqlite-migrations";
import { CLI, runCliProcess } from "../support/cli-process";
import { cluster, esxHost, vm } from "../support/fixtures";
import { tempDir } from "../support/state-file";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A real state with a few objects, to damage in different ways. */
let good: string;
beforeAll(async () => {
  expect(existsSync(CLI), "run `npm run build` first").toBe(true);
  good = join(tmp.dir, "good.db");
  const rt = await openRuntime({ path: good });
  await rt.apply(cluster("prod"));
  await rt.apply(esxHost("esx1"));
  for (let i = 0; i < 30; i++) await rt.apply(vm(`vm${i}`, { memoryMb: 256 }));
  await rt.close();
});

/** Commands that read, commands that write: none may touch a file that is not a usable state. */
const COMMANDS = [["status"], ["get", "vm"], ["sim", "advance", "1h"], ["vm", "stop", "vm1"]];

function snapshot(dir: string): Map<string, Buffer | "dir"> {
  const files = new Map<string, Buffer | "dir">();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    files.set(name, statSync(path).isDirectory() ? "dir" : readFileSync(path));
  }
  return files;
}

type Maker = (path: string) => void;

const BAD_FILES: [string, Maker, RegExp][] = [
  ["a truncated state file", (p) => (writeFileSync(p, readFileSync(good)), truncateSync(p, statSync(p).size - 1000)), /is truncated/],
  ["a state file cut to its first page", (p) => (writeFileSync(p, readFileSync(good)), truncateSync(p, 4096)), /is truncated|is damaged/],
  ["a state file cut inside its header", (p) => writeFileSync(p, readFileSync(good).subarray(0, 50)), /is truncated/],
  ["a text file", (p) => writeFileSync(p, "hosts:\n  - esx1\n  - esx2\n"), /is a text file/],
  [
    "random bytes",
    (p) => writeFileSync(p, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 251))),
    /holds unknown bytes/,
  ],
  ["a directory", (p) => mkdirSync(p), /is a directory/],
  [
    "another application's SQLite file",
    (p) => {
      const db = new Database(p);
      db.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT); INSERT INTO photos (path) VALUES ('a.jpg')");
      db.close();
    },
    /is a SQLite database that is not a Polyvisor state \(tables photos\)/,
  ],
  [
    "a SQLite file marked by another application",
    (p) => {
      const db = new Database(p);
      db.pragma("application_id = 1234");
      db.exec("CREATE TABLE objects (x)");
      db.close();
    },
    /another application's SQLite database \(application id 1234\)/,
  ],
  [
    "a state file from a newer release",
    (p) => {
      writeFileSync(p, readFileSync(good));
      const db = new Database(p);
      db.prepare("UPDATE schema_version SET version = ?").run(SQLITE_MIGRATIONS.length + 1);
      db.close();
    },
    /written by a newer polyvisor .*upgrade polyvisor/,
  ],
];

describe("state files that cannot be used", () => {
  it("the good state is marked as Polyvisor's in its header", () => {
    const db = new Database(good, { readonly: true });
    expect(db.pragma("application_id", { simple: true })).toBe(POLYVISOR_APPLICATION_ID);
    db.close();
  });

  for (const [what, make, reason] of BAD_FILES) {
    it(`${what}: one line, exit 3, the file untouched and nothing beside it`, () => {
      const dir = join(tmp.dir, what.replace(/\W+/g, "-"));
      mkdirSync(dir);
      const path = join(dir, "state.db");
      make(path);
      const before = snapshot(dir);
      for (const command of COMMANDS) {
        const r = runCliProcess(dir, ["--state", path, ...command]);
        expect(r.code, `${command.join(" ")}: ${r.stderr}`).toBe(3);
        expect(r.stdout).toBe("");
        const lines = r.stderr.trimEnd().split("\n");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(path);
        expect(lines[0]).toMatch(reason);
        expect(snapshot(dir)).toEqual(before);
      }
      const json = runCliProcess(dir, ["--json", "--state", path, "status"]);
      expect(json.code).toBe(3);
      expect(JSON.parse(json.stderr)).toMatchObject({ code: "StateUnusable", location: path, message: expect.stringMatching(reason) });
    });
  }

  it("read-only commands on a missing state create nothing, not even its folder", () => {
    const dir = join(tmp.dir, "missing");
    mkdirSync(dir);
    for (const command of [
      ["status"],
      ["events"],
      ["get", "host"],
      ["describe", "vm", "db1"],
      ["drs", "prod"],
      ["ct", "list"],
      ["xm", "list"],
      ["state", "export", "-"],
    ]) {
      const r = runCliProcess(dir, command);
      expect(r.code, command.join(" ")).toBe(3);
      expect(r.stderr).toMatch(/\.polyvisor\/state\.db: does not exist/);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it("an empty file holds no state for read-only commands; a command that changes the state creates one in it", () => {
    const dir = join(tmp.dir, "empty");
    mkdirSync(dir);
    const path = join(dir, "state.db");
    writeFileSync(path, "");
    for (const command of [["status"], ["get", "vm"], ["events"]]) {
      const r = runCliProcess(dir, ["--state", path, ...command]);
      expect(r.code, command.join(" ")).toBe(3);
      expect(r.stderr.trimEnd()).toBe(
        `polyvisor: state ${path}: is empty: it holds no state yet; commands that change the state create one in it`,
      );
      expect(readdirSync(dir)).toEqual(["state.db"]);
      expect(statSync(path).size).toBe(0);
    }
    expect(runCliProcess(dir, ["--state", path, "sim", "advance", "1m"]).code).toBe(0);
    expect(runCliProcess(dir, ["--state", path, "--json", "status"]).stdout).toContain('"timeSeconds": 60');
  });

  it("an unmarked state from before files were marked is still opened, and marked", () => {
    const path = join(tmp.dir, "unmarked.db");
    writeFileSync(path, readFileSync(good));
    const db = new Database(path);
    db.pragma("application_id = 0");
    db.close();
    const r = runCliProcess(tmp.dir, ["--state", path, "get", "vm", "vm1", "-o", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).name).toBe("vm1");
    const after = new Database(path, { readonly: true });
    expect(after.pragma("application_id", { simple: true })).toBe(POLYVISOR_APPLICATION_ID);
    after.close();
  });
});
