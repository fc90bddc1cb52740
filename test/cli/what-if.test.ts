/** `polyvisor what-if` as users run it: the compiled CLI in a child process, the state file untouched. */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { dumpStateFile, tempDir } from "../support/state-file";

const CLI = resolve(__dirname, "..", "..", "dist", "cli", "main.js");
const tmp = tempDir();
const state = join(tmp.dir, "state.db");
afterAll(() => tmp.cleanup());

function polyvisor(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, "--state", state, ...args], {
    cwd: tmp.dir,
    encoding: "utf8",
    env: { ...process.env, POLYVISOR_STATE: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  // Three hosts; the VMs reserve so much memory that esx3's VMs cannot all find room elsewhere.
  const rt = await openRuntime({ path: state });
  await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl: { policy: "disabled" } } }));
  for (const h of ["esx1", "esx2", "esx3"]) await rt.apply(esxHost(h, "prod", { hypervisorVersion: "8.0" }));
  for (let i = 1; i <= 7; i++) await rt.apply(vm(`vm${i}`, { memoryMb: 20480, memory: { reservationMb: 20480 } }));
  await rt.close();
});

describe("polyvisor what-if", () => {
  it("--fail-each-host prints one line per host and leaves the state file byte-identical", () => {
    const dump = dumpStateFile(state);
    const bytes = readFileSync(state);
    const r = polyvisor("what-if", "--fail-each-host");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^HOST\s+CLUSTER\s+VMS DOWN\s+RESTARTED\s+PENDING\s+SURVIVES$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["esx1", "esx2", "esx3"]);
    // 7 VMs of 20 GB on three 64 GB hosts (3 + 2 + 2 or so): the two survivors have room for 2 more at most.
    const rows = lines.slice(1).map((l) => l.split(/\s+/));
    for (const [, , down, restarted, pending, survives] of rows) {
      expect(Number(restarted) + Number(pending)).toBe(Number(down));
      expect(survives).toBe(Number(pending) === 0 ? "yes" : "no");
    }
    expect(rows.some((row) => row[5] === "no")).toBe(true);
    expect(dumpStateFile(state)).toBe(dump);
    expect(readFileSync(state)).toEqual(bytes);
  });

  it("--fail-host prints restarts and the cluster before and after; --json gives the report", () => {
    const r = polyvisor("what-if", "--fail-host", "esx1", "--advance", "20m");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^What if \(nothing is saved\): simulated time 00:00:00 -> 00:20:00$/m);
    expect(r.stdout).toMatch(/^prod\s+3 -> 2\s+/m);
    const json = JSON.parse(polyvisor("--json", "what-if", "--fail-host", "esx1").stdout);
    expect(json.steps).toEqual([
      { step: 0, type: "failHost", ok: true },
      { step: 1, type: "advance", ok: true },
    ]);
    expect(json.restarts.every((m: { fromHost: string }) => m.fromHost === "esx1")).toBe(true);
  });

  it("--steps runs a file of steps; a refused step is reported, exit 0; bad usage exits 2, a bad step 1", () => {
    const steps = join(tmp.dir, "steps.json");
    writeFileSync(
      steps,
      JSON.stringify([
        { type: "failHost", host: "nope" },
        { type: "addHost", name: "esx4", spec: esxHost("esx4", "prod", { hypervisorVersion: "8.0" }).spec },
        { type: "advance", seconds: 600 },
      ]),
    );
    const r = polyvisor("what-if", "--steps", steps);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^step 0 \(failHost\) refused: NotFound: Host nope/m);
    expect(r.stdout).toMatch(/^prod\s+3 -> 4\s+/m);
    expect(polyvisor("what-if").code).toBe(2);
    writeFileSync(steps, JSON.stringify([{ type: "advance", seconds: "soon" }]));
    const bad = polyvisor("what-if", "--steps", steps);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^InvalidSpec: WhatIf step 0: field seconds:/);
  });
});
