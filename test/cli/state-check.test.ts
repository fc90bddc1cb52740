/** `polyvisor state check` as users run it: the compiled CLI in a child process, output through a pipe, exit codes. */
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { tempDir } from "../support/state-file";

const CLI = resolve(__dirname, "..", "..", "dist", "cli", "main.js");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function polyvisor(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: tmp.dir,
    encoding: "utf8",
    env: { ...process.env, POLYVISOR_STATE: "", POLYVISOR_POSTGRES: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function stateWithVms(name: string): Promise<string> {
  const path = join(tmp.dir, name);
  const rt = await openRuntime({ path });
  for (const obj of [cluster("prod"), esxHost("esx1"), vm("db1", { cpu: { reservationMhz: 500 } })]) await rt.apply(obj);
  await rt.close();
  return path;
}

describe("polyvisor state check", () => {
  it("is built", () => {
    expect(existsSync(CLI), "run `npm run build` first").toBe(true);
  });

  it("reports every check ok on a healthy state and exits 0", async () => {
    const path = await stateWithVms("healthy.db");
    const r = polyvisor("--state", path, "state", "check");
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout.trim().split("\n")).toEqual([
      "integrity: ok",
      "schema: ok",
      "rows: ok",
      "specs and numbers: ok",
      "placements: ok",
      "host reservations: ok",
      "host usage: ok",
      "datastore usage: ok",
      "timers: ok",
    ]);
    const json = polyvisor("--state", path, "--json", "state", "check");
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true });
  });

  it("lists the problems of a damaged state and exits 3", async () => {
    const path = await stateWithVms("damaged.db");
    const db = new Database(path);
    db.exec("UPDATE objects SET status = json_set(status, '$.cpuReservedMhz', 0) WHERE kind = 'Host' AND name = 'esx1'");
    db.close();
    const r = polyvisor("--state", path, "state", "check");
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      /^host reservations: 1 problem\(s\)\n {2}- host esx1: status.cpuReservedMhz is 0, but its guests add up to 5\d\d$/m,
    );
    expect(r.stderr).toMatch(/the check found 1 problem\(s\); restore it from a backup/);
  });
});
