/**
 * `polyvisor plan consolidate` as users run it (the compiled CLI in a child process), and the Pulumi
 * project it writes: compiled with tsc, then applied as `pulumi up` applies it, through Pulumi's real
 * dynamic provider host; every VM must land on the host the plan gave it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { VirtualMachineObject } from "../../runtime";
import { PulumiEngine } from "../harness/engine";
import { REPO_ROOT, programFolder, readState } from "../provider/program-loader";
import { tempDir } from "../support/state-file";

const CLI = resolve(REPO_ROOT, "dist", "cli", "main.js");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function polyvisor(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: tmp.dir, encoding: "utf8", env: { ...process.env, POLYVISOR_STATE: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HEADER = "name,os,arch,cores,mhz,memoryMb,diskGb,cpuPercent,memoryPercent";
/** 24 servers, a few Windows and 32-bit ones, utilizations spread. */
const ROWS = Array.from({ length: 24 }, (_, i) => {
  const os = i % 5 === 0 ? "windows" : "linux";
  const arch = i % 7 === 0 ? "x86" : "x86_64";
  return `srv${String(i + 1).padStart(2, "0")},${os},${arch},${2 + (i % 4) * 2},${2000 + (i % 3) * 400},${4096 * (1 + (i % 4))},40,${10 + ((i * 37) % 70)},${20 + ((i * 53) % 75)}`;
});
const inventory = join(tmp.dir, "inventory.csv");
writeFileSync(inventory, `${[HEADER, ...ROWS].join("\n")}\n`);
const HOST_FLAGS = ["--host-cores", "16", "--host-mhz", "2600", "--host-memory-mb", "65536", "--hypervisor-version", "8.0"];

describe("polyvisor plan consolidate", () => {
  it("prints the plan's JSON with the contract's keys; hosts never below the lower bound", () => {
    const r = polyvisor("plan", "consolidate", inventory, ...HOST_FLAGS, "--ha-failures", "1", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(Object.keys(plan).slice(0, 3)).toEqual(["hosts", "lowerBound", "placements"]);
    expect(plan.hosts).toBeGreaterThanOrEqual(plan.lowerBound);
    expect(plan.placements).toHaveLength(24);
    expect(Object.keys(plan.placements[0])).toEqual(["server", "host", "vcpus", "memoryMb", "cpuMhz"]);
    for (const h of plan.hostUsage) {
      expect(h.cpuMhz).toBeLessThanOrEqual(h.cpuCapacityMhz);
      expect(h.memoryMb).toBeLessThanOrEqual(h.memoryCapacityMb);
    }
  });

  it("prints a table naming hosts, the lower bound and the gap", () => {
    const r = polyvisor("plan", "consolidate", inventory, ...HOST_FLAGS, "--headroom", "20");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^24 servers on \d+ hosts \(\d+ loaded\); lower bound \d+, gap \d+\.\d%/);
    expect(r.stdout).toMatch(/^HOST\s+VMS\s+CPU MHZ\s+CPU\s+MEMORY MB\s+MEMORY$/m);
    expect(r.stdout).toMatch(/^srv01\s+host\d+\s+\d+\s+\d+\s+\d+$/m);
  });

  it("bad usage exits 2 naming the flag; a bad inventory exits 1 naming the server and field; nothing is written", () => {
    const missing = polyvisor("plan", "consolidate", inventory, "--host-cores", "16");
    expect([missing.code, missing.stderr]).toEqual([2, "polyvisor: the host model needs --host-mhz, --host-memory-mb\n"]);
    const badFlag = polyvisor("plan", "consolidate", inventory, ...HOST_FLAGS, "--headroom", "150");
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/^polyvisor: --headroom: /);
    const bad = join(tmp.dir, "bad.csv");
    writeFileSync(bad, `${HEADER}\nok,linux,x86_64,2,2000,4096,40,10,10\nweird,linux,x86_64,2,2000,4096,40,140,10\n`);
    const out = join(tmp.dir, "never");
    const r = polyvisor("plan", "consolidate", bad, ...HOST_FLAGS, "--program", out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^InvalidSpec: Server weird: field cpuPercent: .*\(got 140\)/);
    expect(existsSync(out)).toBe(false);
    const unreadable = polyvisor("plan", "consolidate", join(tmp.dir, "absent.csv"), ...HOST_FLAGS);
    expect([unreadable.code, unreadable.stderr]).toEqual([
      2,
      `polyvisor: cannot read the inventory ${join(tmp.dir, "absent.csv")}: ENOENT\n`,
    ]);
  });

  it("packs peak-aligned samples: a day and a night server share one host", () => {
    const inv = join(tmp.dir, "dn.csv");
    writeFileSync(inv, `${HEADER}\nday,linux,x86_64,8,2600,8192,40,0,0\nnight,linux,x86_64,8,2600,8192,40,0,0\n`);
    const samples = join(tmp.dir, "dn-samples.csv");
    writeFileSync(samples, "name,time,cpuPercent,memoryPercent\nday,00,10,50\nday,12,80,50\nnight,00,80,50\nnight,12,10,50\n");
    const host = ["--host-cores", "8", "--host-mhz", "2600", "--host-memory-mb", "32768", "--hypervisor-version", "8.0", "--json"];
    const aligned = JSON.parse(polyvisor("plan", "consolidate", inv, ...host, "--samples", samples).stdout);
    expect(aligned.hosts).toBe(1);
    const byPeak = JSON.parse(polyvisor("plan", "consolidate", inv, ...host, "--samples", samples, "--percentile", "100").stdout);
    expect(byPeak.hosts).toBe(2);
  });

  it("--program writes a Pulumi project that compiles with tsc and, applied, lands every VM on its planned host", async () => {
    const dir = join(tmp.dir, "program");
    const r = polyvisor("plan", "consolidate", inventory, ...HOST_FLAGS, "--ha-failures", "1", "--program", dir, "--json");
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { placements: { server: string; host: string }[] };
    expect(readdirSync(dir).sort()).toEqual(["Pulumi.yaml", "index.ts", "package.json", "tsconfig.json"]);
    const index = readFileSync(join(dir, "index.ts"), "utf8");
    expect(index).toContain("// source server srv01:");
    // A second write refuses to overwrite the project.
    expect(polyvisor("plan", "consolidate", inventory, ...HOST_FLAGS, "--program", dir).code).toBe(2);

    // tsc over the project as a user's checkout would see it: node_modules resolving polyvisor and Pulumi.
    const links = {
      polyvisor: REPO_ROOT,
      "@pulumi/pulumi": dirname(require.resolve("@pulumi/pulumi/package.json")),
      "@types/node": join(REPO_ROOT, "node_modules", "@types", "node"),
    };
    for (const [name, target] of Object.entries(links)) {
      mkdirSync(dirname(join(dir, "node_modules", name)), { recursive: true });
      symlinkSync(target, join(dir, "node_modules", name), "dir");
    }
    const tsc = spawnSync(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", dir, "--noEmit"], {
      encoding: "utf8",
    });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);

    const folder = programFolder();
    const engine = await PulumiEngine.start({
      projectDir: folder.dir,
      project: "consolidation",
      config: { "polyvisor:statePath": folder.statePath },
    });
    try {
      const result = await engine.up(folder.load(index));
      expect(result.errors).toEqual([]);
      const expected = Object.fromEntries(plan.placements.map((p) => [p.server, p.host]));
      expect(result.outputs.placements).toEqual(expected);
      const landed = await readState(folder.statePath, async (rt) =>
        (await rt.list("VirtualMachine")).map((v) => [v.name, (v as VirtualMachineObject).status.currentHost]),
      );
      expect(Object.fromEntries(landed)).toEqual(expected);
    } finally {
      await engine.close();
      folder.remove();
    }
  });
});
