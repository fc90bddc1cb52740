/**
 * A host keeps how its capacity is divided (status.usageDivision), and a VM's usage is worked out from
 * it when the VM is shown (vms/vm-usage.ts). A VM landing on a contended host lowers every VM's share
 * there but writes only the host and itself; what the neighbours show still adds up to the host's
 * totals. A state written before hosts kept their division shows the same figures.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { RuntimeObject, World } from "../../runtime/core/kernel/model";
import { LocalRuntime } from "../../runtime/local-runtime";
import { SqliteStore } from "../../runtime/store/sqlite";
import { SQLITE_MIGRATIONS } from "../../runtime/store/sqlite-migrations";
import { USAGE_LEDGER } from "../../runtime/core/vms/vm-usage-ledger";
import { cluster, esxHost, vm } from "../support/fixtures";

type Usage = { cpuUsedMhz: number; overheadCpuMhz: number };

/** One host of 4 x 2,000 MHz: three VMs wanting 3,000 MHz each already contend for it. */
async function contendedHost(path: string) {
  const store = new SqliteStore(path, { seed: 7 });
  const rt = new LocalRuntime(store);
  await rt.apply(cluster("prod"));
  await rt.apply(
    esxHost("h1", "prod", { cpu: { sockets: 1, coresPerSocket: 4, mhz: 2000, vendor: "intel", features: ["vmx", "ept", "lm"] } }),
  );
  for (const name of ["a", "b", "c"]) await rt.apply(vm(name, { host: "h1", workload: { cpuDemandMhz: 3000 } }));
  return { store, rt };
}

const vmRecords = (world: World) => new Map((world.list("VirtualMachine") as RuntimeObject[]).map((o) => [o.name, o]));
const usageOf = async (rt: LocalRuntime, name: string) => (await rt.get("VirtualMachine", name))!.status as Usage;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("usage divided per host, read per VM", () => {
  it("a VM landing on a contended host writes the host and itself, and its neighbours' shares follow", async () => {
    const { store, rt } = await contendedHost(":memory:");
    const before = await store.read(vmRecords);
    const shareBefore = await usageOf(rt, "a");
    await rt.apply(vm("d", { host: "h1", workload: { cpuDemandMhz: 3000 } }));
    const after = await store.read(vmRecords);
    // The neighbours' records are the very same objects: not written.
    for (const name of ["a", "b", "c"]) expect(after.get(name)).toBe(before.get(name));
    const host = (await rt.get("Host", "h1"))!.status as { cpuUsedMhz: number; usageDivision: { cpu: { by: string } } };
    expect(host.usageDivision.cpu.by).toBe("shares");
    // Four equal VMs on 8,000 MHz: each gets 2,000 MHz of host CPU, less than the 8,000 / 3 it had.
    const shares = await Promise.all(["a", "b", "c", "d"].map((n) => usageOf(rt, n)));
    for (const s of shares) expect(s.cpuUsedMhz + s.overheadCpuMhz).toBe(2000);
    expect(shareBefore.cpuUsedMhz + shareBefore.overheadCpuMhz).toBe(2666);
    expect(shares.reduce((sum, s) => sum + s.cpuUsedMhz + s.overheadCpuMhz, 0)).toBe(host.cpuUsedMhz);
    await rt.close();
  });

  it("a state whose hosts keep no division shows the same usage, from one row or from the world", async () => {
    const dir = mkdtempSync(join(tmpdir(), "polyvisor-division-"));
    dirs.push(dir);
    const path = join(dir, "state.db");
    const { rt } = await contendedHost(path);
    const shown = await rt.list("VirtualMachine");
    await rt.close();
    // As an earlier release wrote it: no division on the host, usage figures in each VM's row (wrong
    // ones here, so that showing them would fail).
    const db = new Database(path);
    db.prepare("UPDATE objects SET status = json_remove(status, '$.usageDivision') WHERE kind = 'Host'").run();
    db.prepare(
      "UPDATE objects SET status = json_set(status, '$.cpuUsedMhz', 1, '$.overheadCpuMhz', 1, '$.memoryUsedMb', 1) WHERE kind = 'VirtualMachine'",
    ).run();
    db.prepare("UPDATE schema_version SET version = ?").run(SQLITE_MIGRATIONS.length - 1);
    db.close();
    const fresh = new LocalRuntime(new SqliteStore(path, { seed: 7 }));
    expect(await fresh.get("VirtualMachine", "a")).toEqual(shown[0]);
    await fresh.close();
    const loaded = new LocalRuntime(new SqliteStore(path, { seed: 7 }));
    expect(await loaded.list("VirtualMachine")).toEqual(shown);
    await loaded.close();
    // Opening migrated the rows: the figures an earlier release stored are gone from them.
    const migrated = new Database(path, { readonly: true });
    const stored = migrated.prepare("SELECT status FROM objects WHERE kind = 'VirtualMachine'").all() as { status: string }[];
    expect(stored.map((r) => Object.keys(JSON.parse(r.status)).filter((k) => k.endsWith("UsedMhz") || k === "memoryUsedMb"))).toEqual([
      [],
      [],
      [],
    ]);
    migrated.close();
  });
});

/** Hosts of 4 x 2,000 MHz. */
const FOUR_CORES = { sockets: 1, coresPerSocket: 4, mhz: 2000, vendor: "intel", features: ["vmx", "ept", "lm"] };

/** A cluster whose DRS recommends every 300 s, with hosts of 4 x 2,000 MHz named `hosts`. */
async function manualDrsCluster(hosts: string[]) {
  const store = new SqliteStore(":memory:", { seed: 7 });
  const rt = new LocalRuntime(store);
  await rt.apply(cluster("prod", { drs: { automationLevel: "manual", intervalSeconds: 300 } }));
  for (const h of hosts) await rt.apply(esxHost(h, "prod", { cpu: FOUR_CORES }));
  return { store, rt };
}

describe("a DRS pass divides again only the hosts whose VMs it changed", () => {
  /** Two contended hosts: h1's VMs want a constant 3,000 MHz; h2's follow a diurnal curve, so each periodic pass samples new demands there. */
  async function twoHosts() {
    const { store, rt } = await manualDrsCluster(["h1", "h2"]);
    for (const name of ["a", "b", "c"]) await rt.apply(vm(name, { host: "h1", workload: { cpuDemandMhz: 3000 } }));
    for (const name of ["d", "e", "f"])
      await rt.apply(vm(name, { host: "h2", workload: { cpuDemandMhz: 3000, profile: "diurnal", peakHour: 12 } }));
    return { store, rt };
  }
  const hostRecords = (world: World) => new Map((world.list("Host") as RuntimeObject[]).map((o) => [o.name, o]));

  it("leaves a host whose VMs kept their samples and entitlements as it was, and divides the other again", async () => {
    const { store, rt } = await twoHosts();
    await rt.advance(3 * 3600);
    const before = await store.read(hostRecords);
    await rt.advance(300);
    const after = await store.read(hostRecords);
    expect(after.get("h1")).toBe(before.get("h1"));
    expect(after.get("h2")).not.toBe(before.get("h2"));
    // What h2's VMs show still adds up to its total: its division followed the new samples.
    const shown = await Promise.all(["d", "e", "f"].map((n) => usageOf(rt, n)));
    const host = (await rt.get("Host", "h2"))!.status as { cpuUsedMhz: number };
    expect(shown.reduce((sum, s) => sum + s.cpuUsedMhz + s.overheadCpuMhz, 0)).toBe(host.cpuUsedMhz);
    await rt.close();
  });

  it("in checked mode, refuses to keep a division its host's VMs do not give", async () => {
    const { store, rt } = await twoHosts();
    // A division no step would leave behind: h1 as if it had room for every VM.
    await store.write((world) => {
      const h1 = world.get("Host", "h1") as RuntimeObject & { status: Record<string, unknown> };
      const division = { cpu: { by: "demand" }, memory: { by: "demand" } };
      return {
        changes: { puts: [{ ...h1, status: { ...h1.status, usageDivision: division } }], removes: [], events: [], meta: world.meta },
        result: undefined,
      };
    });
    await expect(rt.runDrs("prod")).rejects.toThrow(/internal: host h1 keeps a usage division its VMs do not give/);
    await rt.close();
  });
});

describe("a DRS pass refreshes a host with room for its VMs from their usage sums", () => {
  /** One host of 4 x 2,000 MHz whose three diurnal VMs want at most 1,500 MHz each: never contended. */
  async function roomyHost() {
    const { store, rt } = await manualDrsCluster(["h1"]);
    for (const name of ["a", "b", "c"])
      await rt.apply(vm(name, { host: "h1", workload: { cpuDemandMhz: 1000, profile: "diurnal", peakHour: 12 } }));
    return { store, rt };
  }
  type HostUsage = { cpuUsedMhz: number; usageDivision: { cpu: { by: string } } };

  it("follows the new samples, and what the VMs show adds up to the host's total", async () => {
    const { rt } = await roomyHost();
    await rt.advance(3 * 3600);
    const before = (await rt.get("Host", "h1"))!.status as HostUsage;
    await rt.advance(300);
    const after = (await rt.get("Host", "h1"))!.status as HostUsage;
    expect(after.usageDivision.cpu.by).toBe("demand");
    expect(after.cpuUsedMhz).not.toBe(before.cpuUsedMhz);
    const shown = await Promise.all(["a", "b", "c"].map((n) => usageOf(rt, n)));
    expect(shown.reduce((sum, s) => sum + s.cpuUsedMhz + s.overheadCpuMhz, 0)).toBe(after.cpuUsedMhz);
    expect((await rt.events()).filter((e) => e.reason === "StepFailed")).toEqual([]);
    await rt.close();
  });

  it("in checked mode, refuses sums its VMs do not give", async () => {
    const { store, rt } = await roomyHost();
    await rt.advance(3600);
    // Sums no step would leave behind: h1's VMs as if they wanted a megahertz more.
    await store.read((world) => {
      const ledger = world.ledger(USAGE_LEDGER) as unknown as { hosts: Map<string, { sums: { cpuWantedMhz: number } }> };
      ledger.hosts.get("h1")!.sums.cpuWantedMhz += 1;
    });
    await rt.advance(300);
    const failed = (await rt.events()).filter((e) => e.reason === "StepFailed").map((e) => e.message);
    expect(failed).toEqual([expect.stringMatching(/internal: host h1's usage from its sums is not what its VMs give/)]);
    await rt.close();
  });
});
