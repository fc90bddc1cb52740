/**
 * The zone scheduler against the documented behaviour of the Solaris Fair Share Scheduler. Sources:
 * - System Administration Guide: Solaris Containers - Resource Management and Solaris Zones
 *   (Solaris 10), chapter 8 "Fair Share Scheduler (Overview)": "CPU Share Examples" (examples 1-3),
 *   "CPU Shares and Process State", "FSS and Processor Sets Examples";
 * - same guide, "Using the Fair Share Scheduler on a Solaris System With Zones Installed" (zone
 *   shares divide the system, project shares divide each zone);
 * - same guide, "Solaris Zones and CPU Caps" / zonecfg(1M) capped-cpu and dedicated-cpu.
 */
import { describe, expect, it } from "vitest";
import { type FssZone, type ZoneHost, fssEntitlements, processorSets } from "../../../runtime/core/containers/cpu-fss";

const host = (cpus: number, pools: ZoneHost["pools"] = []): ZoneHost => ({ cpus, mhz: 1000, pools });
const busy = (name: string, extra: Partial<FssZone> = {}): FssZone => ({ name, demandMhz: Infinity, ...extra });

function zonesOf(h: ZoneHost, zones: FssZone[]): Map<string, number> {
  const r = fssEntitlements(h, zones);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.result.zones;
}

describe("FSS shares", () => {
  // "CPU Share Examples", example 1: two CPUs, A and B each with two CPU-bound processes,
  // S[A] = 1 and S[B] = 3: A gets 25% and B 75% of the CPU.
  it("splits in proportion to shares among active consumers", () => {
    const got = zonesOf(host(2), [busy("a", { shares: 1, threads: 2 }), busy("b", { shares: 3, threads: 2 })]);
    expect(got.get("a")).toBeCloseTo(500, 9);
    expect(got.get("b")).toBeCloseTo(1500, 9);
  });

  // Example 2: one CPU-bound process each, S[A] = 1 and S[B] = 100: each uses one CPU, 50/50,
  // because neither can use more CPUs than it has runnable threads.
  it("never gives a consumer more CPUs than it has runnable threads", () => {
    const got = zonesOf(host(2), [busy("a", { shares: 1, threads: 1 }), busy("b", { shares: 100, threads: 1 })]);
    expect(got.get("a")).toBe(1000);
    expect(got.get("b")).toBe(1000);
  });

  // Example 3: A has 1 share, B has 0 shares, both CPU-bound: B gets nothing while A wants all.
  // "CPU Shares and Process State": a zero-share project runs only when nobody with shares wants CPU.
  it("runs a zero-share consumer only on what the others leave", () => {
    const contended = zonesOf(host(2), [busy("a", { shares: 1, threads: 2 }), busy("b", { shares: 0, threads: 2 })]);
    expect(contended.get("a")).toBe(2000);
    expect(contended.get("b")).toBe(0);
    const light = zonesOf(host(2), [busy("a", { shares: 1, demandMhz: 500 }), busy("b", { shares: 0, threads: 2 })]);
    expect(light.get("b")).toBe(1500);
  });

  // "CPU Shares and Process State": only active projects' shares count; when one goes idle the others
  // keep their ratio and take its part (cycles are never wasted).
  it("does not count idle shares", () => {
    const got = zonesOf(host(4), [busy("a", { shares: 1 }), busy("b", { shares: 2 }), busy("c", { shares: 5, demandMhz: 0 })]);
    expect(got.get("c")).toBe(0);
    expect(got.get("a")).toBeCloseTo(4000 / 3, 9);
    expect(got.get("b")).toBeCloseTo(8000 / 3, 9);
  });

  // Zones default to one share (zonecfg(1M), zone.cpu-shares): two busy zones without shares split evenly.
  it("gives a zone one share when it sets none", () => {
    const got = zonesOf(host(2), [busy("a"), busy("b", { shares: 1 })]);
    expect(got.get("a")).toBe(1000);
    expect(got.get("b")).toBe(1000);
  });
});

describe("FSS processor sets", () => {
  // "FSS and Processor Sets Examples": eight CPUs in three sets of 2, 4 and 2; project A (1 share) runs in
  // pset 1, B (2) in psets 1 and 2, C (3) in psets 1, 2 and 3. System-wide: A = 1/6 x 2/8 (4%),
  // B = 2/6 x 2/8 + 2/5 x 4/8 (28%), C = 3/6 x 2/8 + 3/5 x 4/8 + 3/3 x 2/8 (67%). Each project's part in
  // a set is modelled as a zone bound to that set's pool; pool_default holds the remaining 2 CPUs (pset 1).
  it("divides each set among its own consumers only (the guide's eight-CPU example)", () => {
    const h = host(8, [
      { name: "pset2", cpus: 4 },
      { name: "pset3", cpus: 2 },
    ]);
    const got = zonesOf(h, [
      busy("a1", { shares: 1 }),
      busy("b1", { shares: 2 }),
      busy("c1", { shares: 3 }),
      busy("b2", { shares: 2, pool: "pset2" }),
      busy("c2", { shares: 3, pool: "pset2" }),
      busy("c3", { shares: 3, pool: "pset3" }),
    ]);
    const total = 8000;
    const a = got.get("a1")!;
    const b = got.get("b1")! + got.get("b2")!;
    const c = got.get("c1")! + got.get("c2")! + got.get("c3")!;
    expect(a / total).toBeCloseTo((1 / 6) * (2 / 8), 9);
    expect(b / total).toBeCloseTo((2 / 6) * (2 / 8) + (2 / 5) * (4 / 8), 9);
    expect(c / total).toBeCloseTo((3 / 6) * (2 / 8) + (3 / 5) * (4 / 8) + (3 / 3) * (2 / 8), 9);
    expect([Math.floor((a / total) * 100), Math.floor((b / total) * 100), Math.floor((c / total) * 100)]).toEqual([4, 28, 67]);
  });

  // "Resource Pools": pools own disjoint CPU sets and pool_default keeps at least one CPU.
  it("refuses sets that overlap or leave pool_default without a CPU", () => {
    const r = processorSets(host(4, [{ name: "web", cpus: 3 }]), [busy("z", { dedicatedCpus: 1 })]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0].text).toMatch(/4 CPUs cannot hold .*web 3, SUNWtmp_z 1.* keep one CPU for pool_default/);
    const missing = processorSets(host(4), [busy("z", { pool: "db" })]);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems[0]).toMatchObject({ zone: "z", field: "cpu.pool" });
  });
});

describe("FSS nested shares", () => {
  // "Using the Fair Share Scheduler on a Solaris System With Zones Installed": zone.cpu-shares divide
  // the CPU among zones; project.cpu-shares divide each zone's part among its projects.
  it("divides zones by zone shares, then each zone by project shares", () => {
    const got = fssEntitlements(host(4), [
      busy("web", {
        shares: 3,
        projects: [
          { name: "front", shares: 1, demandMhz: Infinity },
          { name: "batch", shares: 2, demandMhz: Infinity },
        ],
      }),
      busy("db", { shares: 1 }),
    ]);
    if (!got.ok) throw new Error("unexpected");
    expect(got.result.zones.get("web")).toBe(3000);
    expect(got.result.zones.get("db")).toBe(1000);
    expect(got.result.projects.get("web")!.get("front")).toBeCloseTo(1000, 9);
    expect(got.result.projects.get("web")!.get("batch")).toBeCloseTo(2000, 9);
  });

  // A zone's shares are worth nothing inside it when its projects are idle: its part goes to the other
  // zones (idle shares are not counted, at either level).
  it("takes a zone's demand from its projects", () => {
    const got = zonesOf(host(4), [
      busy("web", { shares: 3, projects: [{ name: "front", shares: 1, demandMhz: 600 }] }),
      busy("db", { shares: 1 }),
    ]);
    expect(got.get("web")).toBe(600);
    expect(got.get("db")).toBe(3400);
  });
});

describe("CPU caps and dedicated CPUs", () => {
  // "Solaris Zones and CPU Caps" (capped-cpu ncpus): 1 = 100% of one CPU, 1.25 = 125%; the cap is an
  // absolute limit that holds even when the rest of the system is idle.
  it("caps a zone even when every other CPU is idle", () => {
    const got = zonesOf(host(4), [busy("capped", { cappedCpus: 1.25, shares: 10 }), busy("idle", { demandMhz: 0 })]);
    expect(got.get("capped")).toBe(1250);
  });

  // zonecfg(1M) dedicated-cpu: the zone gets a temporary pool with those CPUs for itself; the other zones
  // share what remains in pool_default.
  it("gives a zone with dedicated CPUs its own processor set", () => {
    const got = fssEntitlements(host(8), [busy("ded", { dedicatedCpus: 2 }), busy("a", { shares: 1 }), busy("b", { shares: 5 })]);
    if (!got.ok) throw new Error("unexpected");
    expect(got.result.zones.get("ded")).toBe(2000);
    expect(got.result.zones.get("a")).toBeCloseTo(1000, 9);
    expect(got.result.zones.get("b")).toBeCloseTo(5000, 9);
    expect(got.result.sets.map((s) => [s.name, s.cpus])).toEqual([
      ["pool_default", 6],
      ["SUNWtmp_ded", 2],
    ]);
  });

  it("leaves a dedicated zone's idle CPUs idle: nobody else may run there", () => {
    const got = zonesOf(host(4), [busy("ded", { dedicatedCpus: 2, demandMhz: 100 }), busy("a")]);
    expect(got.get("ded")).toBe(100);
    expect(got.get("a")).toBe(2000);
  });
});
