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

  it("demo runs the incident: placement, DRS onto a new host, HA restarts, a refused power-on, recovery", () => {
    const r = polyvisor("demo");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HOST\s+CLUSTER\s+HYPERVISOR\s+STATE/m);
    expect(r.stdout).toMatch(/^db1\s+prod\s+db\s+on\s+esx\d/m);
    // DRS moved load onto the host that joined, and said why.
    expect(r.stdout).toMatch(/^\S+\s+esx\d\s+esx4\s+\d\s+load balancing: imbalance/m);
    // Every VM that went down with esx2 restarted elsewhere, the high-priority database first.
    const crashed = [...r.stdout.matchAll(/VirtualMachine (\S+) {2}Crashed: went down with host esx2/g)].map((m) => m[1]);
    const restarted = [...r.stdout.matchAll(/VirtualMachine (\S+) {2}HaRestarted: restarted on (esx\d)/g)];
    expect(crashed.length).toBeGreaterThan(0);
    expect(restarted.map((m) => m[1]).sort()).toEqual([...crashed].sort());
    expect(restarted.every((m) => m[2] !== "esx2")).toBe(true);
    expect(restarted[0][1]).toBe("db2");
    expect(r.stdout).toContain("InsufficientCapacity: VirtualMachine db3: field memory.reservationMb");
    expect(r.stdout).toMatch(/Host esx2 {2}HostRecovered/);
    expect(existsSync(join(tmp.dir, ".polyvisor", "demo.db"))).toBe(true);
    // The report of it all, its path printed.
    expect(r.stdout).toContain(`Report written to ${join(tmp.dir, ".polyvisor", "demo-report.html")}`);
    expect(r.stdout).toMatch(/xen-web now on xen2: \d+ pre-copy rounds/);
    // A second run starts from scratch again rather than failing on existing names.
    expect(polyvisor("demo").code).toBe(0);
  });

  it("status and events read a state file; --json gives machine-readable output", () => {
    const state = join(tmp.dir, ".polyvisor", "demo.db");
    const status = polyvisor("--state", state, "--json", "status");
    expect(status.code).toBe(0);
    const inv = JSON.parse(status.stdout);
    const esx = inv.hosts.map((h: { name: string }) => h.name).filter((n: string) => n.startsWith("esx"));
    expect(esx).toEqual(["esx1", "esx2", "esx3", "esx4"]);
    // The rest of the datacenter: a Xen pair, OpenVZ hosts, a zones host and a Virtual Server host.
    expect(inv.hosts.map((h: { spec: { hypervisor: string } }) => h.spec.hypervisor)).toEqual(
      expect.arrayContaining(["xen", "openvz", "zones", "virtualServer"]),
    );
    const prodVms = inv.vms.filter((v: { spec: { cluster?: string } }) => v.spec.cluster === "prod");
    expect(prodVms.every((v: { status: { currentHost: string } }) => /^esx\d$/.test(v.status.currentHost))).toBe(true);
    // The recovered host took load back from DRS.
    expect(prodVms.some((v: { status: { currentHost: string } }) => v.status.currentHost === "esx2")).toBe(true);
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
