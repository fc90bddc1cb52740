/**
 * `polyvisor plan consolidate --hosts FILE` as users run it (the compiled CLI in a child process,
 * stdout through a pipe, exit code checked): existing hosts of different sizes first, hosts of the
 * model after them, servers that fit nowhere reported, bad hosts files named to the line.
 */
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../provider/program-loader";
import { tempDir } from "../support/state-file";

const CLI = resolve(REPO_ROOT, "dist", "cli", "main.js");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function polyvisor(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: tmp.dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, POLYVISOR_STATE: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HEADER = "name,os,arch,cores,mhz,memoryMb,diskGb,cpuPercent,memoryPercent";
/** 30 servers of 2 to 8 cores at 10-30% CPU and 4 to 16 GB at 40-90% memory. */
const inventory = join(tmp.dir, "servers.csv");
writeFileSync(
  inventory,
  `${[
    HEADER,
    ...Array.from(
      { length: 30 },
      (_, i) =>
        `srv${String(i + 1).padStart(2, "0")},linux,x86_64,${2 + (i % 4) * 2},2400,${4096 * (1 + (i % 4))},40,${10 + ((i * 13) % 21)},${40 + ((i * 7) % 51)}`,
    ),
  ].join("\n")}\n`,
);
const hostsFile = join(tmp.dir, "hosts.csv");
writeFileSync(
  hostsFile,
  [
    "name,cores,mhz,memoryMb,hypervisor,hypervisorVersion,vendor",
    "rack1-big,32,2600,262144,esx,8.0,intel",
    "rack1-a,16,2400,131072,esx,8.0,amd",
    "rack2-a,16,2400,131072,esx,8.0,intel",
    "rack2-b,8,2000,65536,esx,8.0,intel",
    "",
  ].join("\n"),
);
const small = join(tmp.dir, "small.csv");
writeFileSync(small, "name,cores,mhz,memoryMb,hypervisor,hypervisorVersion\nold1,8,2000,32768,esx,8.0\nold2,8,2000,32768,esx,8.0\n");
const MODEL = ["--host-cores", "16", "--host-mhz", "2600", "--host-memory-mb", "131072", "--hypervisor-version", "8.0"];

interface JsonPlan {
  hosts: number;
  lowerBound: number;
  placements: { server: string; host: string }[];
  hostUsage: { host: string; cpuMhz: number; memoryMb: number; cpuCapacityMhz: number; memoryCapacityMb: number; vms: number }[];
  spareHosts: string[];
  unplaced: string[];
  unusedHosts: string[];
}

describe("polyvisor plan consolidate --hosts", () => {
  it("plans onto the hosts in the file within each one's capacity; the bound never exceeds the plan", () => {
    const r = polyvisor("plan", "consolidate", inventory, "--hosts", hostsFile, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as JsonPlan;
    expect(plan.unplaced).toEqual([]);
    expect(plan.placements).toHaveLength(30);
    expect(plan.lowerBound).toBeLessThanOrEqual(plan.hosts);
    const names = ["rack1-big", "rack1-a", "rack2-a", "rack2-b"];
    expect([...plan.hostUsage.map((h) => h.host), ...plan.unusedHosts].sort()).toEqual([...names].sort());
    for (const p of plan.placements) expect(names).toContain(p.host);
    for (const h of plan.hostUsage) {
      expect(h.cpuMhz).toBeLessThanOrEqual(h.cpuCapacityMhz);
      expect(h.memoryMb).toBeLessThanOrEqual(h.memoryCapacityMb);
      expect(plan.placements.filter((p) => p.host === h.host)).toHaveLength(h.vms);
    }
  });

  it("with --ha-failures 1 the largest host is the empty spare, and no loaded host carries more than it holds", () => {
    const r = polyvisor("plan", "consolidate", inventory, "--hosts", hostsFile, "--ha-failures", "1", "--json");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as JsonPlan;
    expect(plan.spareHosts).toEqual(["rack1-big"]);
    const spare = plan.hostUsage.find((h) => h.host === "rack1-big")!;
    expect(spare.vms).toBe(0);
    for (const h of plan.hostUsage) {
      expect(h.cpuMhz).toBeLessThanOrEqual(spare.cpuCapacityMhz);
      expect(h.memoryMb).toBeLessThanOrEqual(spare.memoryCapacityMb);
    }
  });

  it("servers that fit no host are reported: the plan on stdout, InsufficientCapacity on stderr, exit 1, no program", () => {
    const out = join(tmp.dir, "never");
    const r = polyvisor("plan", "consolidate", inventory, "--hosts", small, "--json", "--program", out);
    expect(r.code).toBe(1);
    const plan = JSON.parse(r.stdout) as JsonPlan;
    expect(plan.unplaced.length).toBeGreaterThan(0);
    expect(plan.placements.length + plan.unplaced.length).toBe(30);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: "InsufficientCapacity", kind: "Server", name: plan.unplaced[0] });
    expect(existsSync(out)).toBe(false);
    const table = polyvisor("plan", "consolidate", inventory, "--hosts", small);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^Do not fit the hosts \(\d+\): srv/m);
    expect(table.stderr).toMatch(/^InsufficientCapacity: Server srv\d+: \d+ server\(s\) do not fit the hosts in .*small.csv/);
  });

  it("with the host model flags too, adds hosts of the model for what the file's hosts cannot take", () => {
    const r = polyvisor("plan", "consolidate", inventory, "--hosts", small, ...MODEL, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as JsonPlan;
    expect(plan.unplaced).toEqual([]);
    const added = plan.hostUsage.filter((h) => !["old1", "old2"].includes(h.host));
    expect(added.length).toBeGreaterThan(0);
    for (const h of added) expect([h.host, h.cpuCapacityMhz, h.memoryCapacityMb]).toEqual([h.host, 16 * 2600, 131072]);
  });

  it("a bad hosts file exits 1 naming the host, field, file and line; usage errors exit 2", () => {
    const bad = join(tmp.dir, "bad-hosts.csv");
    writeFileSync(bad, "name,cores,mhz,memoryMb,hypervisor\n# rack 1\nh1,8,2000,65536,esx\nh2,8,fast,65536,esx\n");
    const r = polyvisor("plan", "consolidate", inventory, "--hosts", bad);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^InvalidSpec: Host h2: field mhz: .*bad-hosts.csv line 4: .*\(got fast\)\n$/);
    const absent = polyvisor("plan", "consolidate", inventory, "--hosts", join(tmp.dir, "absent.csv"));
    expect([absent.code, absent.stderr]).toEqual([2, `polyvisor: cannot read the hosts file ${join(tmp.dir, "absent.csv")}: ENOENT\n`]);
    const partial = polyvisor("plan", "consolidate", inventory, "--hosts", hostsFile, "--host-cores", "16");
    expect([partial.code, partial.stderr]).toEqual([2, "polyvisor: the host model needs --host-mhz, --host-memory-mb\n"]);
    const neither = polyvisor("plan", "consolidate", inventory);
    expect([neither.code, neither.stderr]).toEqual([
      2,
      "polyvisor: the host model needs --host-cores, --host-mhz, --host-memory-mb (or --hosts FILE)\n",
    ]);
  });
});
