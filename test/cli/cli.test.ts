/** The `polyvisor` command as users run it: the compiled CLI in a child process, exit codes and output. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/state-file";

const CLI = resolve(__dirname, "..", "..", "dist", "cli", "main.js");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function polyvisor(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: tmp.dir, encoding: "utf8", env: { ...process.env, POLYVISOR_STATE: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("polyvisor CLI", () => {
  it("is built", () => {
    expect(existsSync(CLI), "run `npm run build` first").toBe(true);
  });

  it("demo builds a fresh cluster, shows where each VM runs and a refused power-on", () => {
    const r = polyvisor("demo");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HOST\s+CLUSTER\s+HYPERVISOR\s+STATE/m);
    expect(r.stdout).toMatch(/^db1\s+prod\s+db\s+on\s+esx\d/m);
    expect(r.stdout).toContain("InsufficientCapacity: VirtualMachine db3: field memory.reservationMb");
    expect(existsSync(join(tmp.dir, ".polyvisor", "demo.db"))).toBe(true);
    // A second run starts from scratch again rather than failing on existing names.
    expect(polyvisor("demo").code).toBe(0);
  });

  it("status and events read a state file; --json gives machine-readable output", () => {
    const state = join(tmp.dir, ".polyvisor", "demo.db");
    const status = polyvisor("--state", state, "--json", "status");
    expect(status.code).toBe(0);
    const inv = JSON.parse(status.stdout);
    expect(inv.hosts.map((h: { name: string }) => h.name)).toEqual(["esx1", "esx2", "esx3"]);
    expect(inv.vms.every((v: { status: { currentHost: string } }) => /^esx\d$/.test(v.status.currentHost))).toBe(true);
    const events = polyvisor("--state", state, "events", "--since", "20");
    expect(events.code).toBe(0);
    expect(events.stdout.split("\n")[0]).toMatch(/^\s+21\s+00:00:00\s+/);
  });

  it("sim advance moves the clock", () => {
    const state = join(tmp.dir, "clock.db");
    expect(polyvisor("--state", state, "sim", "advance", "1h30m").stdout).toContain("Simulated time is now 01:30:00");
    expect(polyvisor("--state", state, "sim", "advance", "90s").stdout).toContain("Simulated time is now 01:31:30");
  });

  it("bad usage exits 2 with a message", () => {
    const state = join(tmp.dir, "usage.db");
    const r = polyvisor("--state", state, "sim", "advance", "soon");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a duration: "soon"');
    expect(polyvisor("frobnicate").code).toBe(2);
    expect(polyvisor("--state", state, "events", "--since", "-3").code).toBe(2);
  });

  it("a refused operation exits 1 with the runtime's message", () => {
    const r = polyvisor("--state", join(tmp.dir, "refused.db"), "host", "fail", "esx9");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^[A-Za-z]+: Host esx9/);
  });
});
