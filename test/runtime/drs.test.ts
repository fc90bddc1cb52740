/**
 * DRS: imbalance, migration threshold, greedy moves with cost-benefit, move limit and cooldown,
 * automation levels. Source for the model: Gulati et al., "VMware Distributed Resource Management:
 * Design, Implementation, and Lessons Learned", VMware Technical Journal 1(1), 2012 (normalized
 * entitlement, imbalance as the standard deviation of it, greedy single-VM moves, cost-benefit),
 * and the vSphere Resource Management guide, "DRS Cluster Requirements / Migration Threshold".
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import { costBenefit, loadGapClosed, migrationCost } from "../../runtime/core/drs/cost-benefit";
import { LoadState, balancePriority, targetImbalance } from "../../runtime/core/drs/imbalance";
import { vm } from "../support/fixtures";
import {
  LINK_RATE_MIGRATION,
  busy,
  clusterOf,
  eventsSince,
  hostOf,
  landMigrations,
  lastSeq,
  placement,
  skewedCluster,
  vmOf,
} from "../support/drs-fixtures";
import { predictLiveMigration } from "../../runtime/core/vms/vm-moves";
import { MigrationSettings } from "../../schema/cluster";

let rt: Runtime;
beforeEach(async () => {
  rt = await openRuntime({ path: ":memory:" });
});
afterEach(async () => {
  await rt.close();
});

describe("imbalance", () => {
  // Gulati et al. 2012, section 4.1: imbalance is the standard deviation of the hosts' normalized
  // entitlements. The runtime uses the POPULATION standard deviation: for N = 0.5 and 0.3 that is 0.1
  // (the sample standard deviation would be 0.141).
  it("is the population standard deviation of normalized entitlements", () => {
    const load = new LoadState([
      { cpuCapacity: 1000, memoryCapacity: 1000, cpuLoad: 500, memoryLoad: 200 },
      { cpuCapacity: 2000, memoryCapacity: 1000, cpuLoad: 600, memoryLoad: 200 },
    ]);
    expect(load.sigma(0)).toBeCloseTo(0.1, 12);
    expect(load.sigma(1)).toBe(0);
    expect(load.imbalance()).toBeCloseTo(0.1, 12);
  });

  it("combines resources as the root of the summed variances and predicts a move exactly", () => {
    const load = new LoadState([
      { cpuCapacity: 1000, memoryCapacity: 1000, cpuLoad: 500, memoryLoad: 600 },
      { cpuCapacity: 1000, memoryCapacity: 1000, cpuLoad: 300, memoryLoad: 300 },
      { cpuCapacity: 1000, memoryCapacity: 2000, cpuLoad: 100, memoryLoad: 100 },
    ]);
    const variance = (xs: number[]) => xs.reduce((s, x) => s + (x - xs.reduce((a, b) => a + b) / xs.length) ** 2, 0) / xs.length;
    expect(load.imbalance()).toBeCloseTo(Math.sqrt(variance([0.5, 0.3, 0.1]) + variance([0.6, 0.3, 0.05])), 12);
    const predicted = load.imbalanceIf(0, 2, 100, 200);
    load.move(0, 2, 100, 200);
    expect(load.imbalance()).toBeCloseTo(predicted, 12);
    expect(load.imbalance()).toBeCloseTo(Math.sqrt(variance([0.4, 0.3, 0.2]) + variance([0.4, 0.3, 0.15])), 12);
  });

  // The published priority form 6 - ceil(imbalance / 0.1 * sqrt(hosts)); load balancing stays at 2..5
  // since priority 1 is reserved for mandatory moves (Resource Management guide, "Migration Threshold").
  it("gives load-balancing moves priorities 2..5 and thresholds their targets", () => {
    expect(balancePriority(0.03, 4)).toBe(5); // ceil(0.6) = 1
    expect(balancePriority(0.12, 4)).toBe(3); // ceil(2.4) = 3
    expect(balancePriority(0.3, 4)).toBe(2); // 6 - 6 = 0, kept at 2
    expect(targetImbalance(3, 4)).toBeCloseTo(0.1, 12);
    expect(targetImbalance(5, 4)).toBe(0);
    expect(targetImbalance(2, 9)).toBeCloseTo(0.1, 12);
    // A move is applied when priority <= threshold, i.e. exactly when imbalance > target.
    for (const t of [2, 3, 4]) {
      expect(balancePriority(targetImbalance(t, 4) + 1e-9, 4)).toBeLessThanOrEqual(t);
      expect(balancePriority(targetImbalance(t, 4) - 1e-9, 4)).toBeGreaterThan(t);
    }
    expect(balancePriority(1e-9, 4)).toBe(5); // threshold 5 takes any imbalance above 0
  });
});

describe("cost-benefit", () => {
  // A move is priced with the pre-copy model that also times the migration (Clark et al., NSDI 2005;
  // vm-moves.ts), so the cost DRS weighs is the time the move then takes on the simulated clock.
  it("prices a move with the time the migration then takes", async () => {
    await skewedCluster(rt, { hosts: 2, vms: { a: busy(8000, { dirtyRateMbps: 100 }), b: busy(8000) } });
    const c = (await rt.runDrs("prod")) as Awaited<ReturnType<typeof clusterOf>>;
    const move = c.status.drs.moves[0];
    const moving = await vmOf(rt, move.vm);
    const predicted = predictLiveMigration(moving.spec, MigrationSettings.parse(LINK_RATE_MIGRATION));
    expect(move.reason).toContain(`migration about ${Math.round(predicted.totalSeconds)} s`);
    const m = moving.status.migration!;
    expect(m.completesAtSeconds - m.startedAtSeconds).toBeCloseTo(predicted.totalSeconds, 9);
  });

  it("measures gain as the load gap a move closes, the same for any cluster size", () => {
    // Two hosts at N = 0.6 and 0.2 (imbalance 0.2); moving d = 0.1 leaves 0.5 and 0.3 (imbalance 0.1):
    // closed d * (g - d) = 0.1 * (0.4 - 0.1) = 0.03.
    expect(loadGapClosed(0.2, 0.1, 2)).toBeCloseTo(0.03, 12);
    // The same move among 100 hosts (98 at the mean 0.4) moves the imbalance far less, closes as much.
    const sigma = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + (x - 0.4) ** 2, 0) / xs.length);
    const rest = Array.from({ length: 98 }, () => 0.4);
    expect(loadGapClosed(sigma([0.6, 0.2, ...rest]), sigma([0.5, 0.3, ...rest]), 100)).toBeCloseTo(0.03, 12);
  });

  it("accepts a move when the gap closed, held for an interval, outweighs the load carried while copying", () => {
    expect(costBenefit(0.01, migrationCost(0.1, 30), 300).pays).toBe(true); // 3 >= 3
    expect(costBenefit(0.01, migrationCost(0.1, 31), 300).pays).toBe(false);
    expect(costBenefit(1, migrationCost(0.1, Infinity), 300).pays).toBe(false);
  });
});

const fourHot = { a: busy(8000), b: busy(8000), c: busy(8000), d: busy(8000), e: busy(8000), f: busy(8000) };

describe("a DRS pass", () => {
  it("balances a skewed cluster in fullyAutomated, below the target, and explains each move", async () => {
    await skewedCluster(rt, { hosts: 3, vms: fourHot });
    const seq = await lastSeq(rt);
    const c = await rt.runDrs("prod");
    const drs = (c as Awaited<ReturnType<typeof clusterOf>>).status.drs;
    expect(drs.imbalanceBefore).toBeGreaterThan(drs.targetImbalance);
    expect(drs.imbalance).toBeLessThanOrEqual(drs.targetImbalance);
    expect(drs.moves.length).toBeGreaterThan(0);
    const moved = (await eventsSince(rt, seq)).filter((e) => e.reason === "DrsMigrated");
    expect(moved.map((e) => e.name)).toEqual(drs.moves.map((m) => m.vm));
    expect(moved[0].message).toMatch(
      /^moved from esx1 to esx\d \(priority [2-5]\): load balancing: imbalance [\d.]+ -> [\d.]+ \(target 0\.1155\); entitled on esx1 \d+% cpu/,
    );
    await landMigrations(rt);
    const where = Object.values(await placement(rt));
    expect(new Set(where).size).toBe(3);
  });

  it("runs every intervalSeconds of simulated time", async () => {
    await skewedCluster(rt, { clusterSpec: { drs: { intervalSeconds: 600 } }, hosts: 3, vms: fourHot });
    await rt.advance(599);
    expect((await clusterOf(rt)).status.drs.lastPassSeconds).toBeNull();
    await rt.advance(1);
    expect((await clusterOf(rt)).status.drs.lastPassSeconds).toBe(600);
    await rt.advance(1200);
    expect((await clusterOf(rt)).status.drs.lastPassSeconds).toBe(1800);
  });

  it("only recommends in manual mode, once per recommendation, and applies on request", async () => {
    await skewedCluster(rt, { clusterSpec: { drs: { automationLevel: "manual" } }, hosts: 3, vms: fourHot });
    const before = await placement(rt);
    const seq = await lastSeq(rt);
    await rt.advance(600);
    expect(await placement(rt)).toEqual(before);
    const drs = (await clusterOf(rt)).status.drs;
    expect(drs.moves).toEqual([]);
    expect(drs.recommendations.length).toBeGreaterThan(0);
    expect(drs.imbalance).toBe(drs.imbalanceBefore);
    expect(drs.projectedImbalance).toBeLessThanOrEqual(drs.targetImbalance);
    const recommended = (await eventsSince(rt, seq)).filter((e) => e.reason === "DrsRecommended");
    expect(recommended).toHaveLength(drs.recommendations.length); // two passes, no repeats
    expect((await eventsSince(rt, seq)).some((e) => e.reason === "DrsMigrated")).toBe(false);

    await rt.runDrs("prod", { apply: true });
    await landMigrations(rt);
    const after = await placement(rt);
    for (const r of drs.recommendations) expect(after[r.vm]).toBe(r.toHost);
  });

  it("treats migrations as recommendations in partiallyAutomated but still places new VMs", async () => {
    await skewedCluster(rt, { clusterSpec: { drs: { automationLevel: "partiallyAutomated" } }, hosts: 3, vms: fourHot });
    await rt.advance(300);
    expect((await clusterOf(rt)).status.drs.moves).toEqual([]);
    expect((await clusterOf(rt)).status.drs.recommendations.length).toBeGreaterThan(0);
    expect((await rt.apply(vm("late", busy(100)))).status).toMatchObject({ powerState: "on" });
  });

  it("makes no load-balancing move at threshold 1 and balances to zero-gain at threshold 5", async () => {
    await skewedCluster(rt, { clusterSpec: { drs: { migrationThreshold: 1 } }, hosts: 3, vms: fourHot });
    const one = (await rt.runDrs("prod")) as Awaited<ReturnType<typeof clusterOf>>;
    expect(one.status.drs.moves).toEqual([]);
    expect(one.status.drs.summary).toMatch(/migration threshold 1 applies mandatory moves only/);
    await rt.apply({ kind: "Cluster", name: "prod", spec: { migration: LINK_RATE_MIGRATION, drs: { migrationThreshold: 5 } } });
    const five = (await rt.runDrs("prod")) as Awaited<ReturnType<typeof clusterOf>>;
    expect(five.status.drs.targetImbalance).toBe(0);
    expect(five.status.drs.imbalance).toBeLessThan(0.01);
  });

  it("stops at maxMovesPerPass", async () => {
    await skewedCluster(rt, { clusterSpec: { drs: { maxMovesPerPass: 1 } }, hosts: 3, vms: fourHot });
    const c = (await rt.runDrs("prod")) as Awaited<ReturnType<typeof clusterOf>>;
    expect(c.status.drs.moves).toHaveLength(1);
    expect(c.status.drs.summary).toMatch(/the limit of 1 load-balancing moves per pass was reached/);
  });

  it("leaves a VM it moved alone during the cooldown", async () => {
    // Only "free" can move; once it has, the pinned VMs make its new host the hot one.
    await skewedCluster(rt, {
      clusterSpec: { drs: { vmCooldownSeconds: 900 } },
      hosts: 2,
      vms: { free: busy(6000), p1: { ...busy(6000), host: "esx1" } },
    });
    const first = (await rt.runDrs("prod")) as Awaited<ReturnType<typeof clusterOf>>;
    expect(first.status.drs.moves.map((m) => m.vm)).toEqual(["free"]);
    expect((await vmOf(rt, "free")).status.drsCooldownUntilSeconds).toBe(900);
    // While it migrates, a pass counts it on its target already: balanced, nothing more to plan.
    const inFlight = (await rt.runDrs("prod")) as Awaited<ReturnType<typeof clusterOf>>;
    expect(inFlight.status.drs).toMatchObject({ imbalance: 0, moves: [] });
    await landMigrations(rt);
    await rt.apply(vm("p1", busy(500, { activeMemoryMb: 0 }), "prod"));
    await rt.apply(vm("p2", { ...busy(20000), host: "esx2" }));
    const cooling = (await rt.runDrs("prod")) as Awaited<ReturnType<typeof clusterOf>>;
    expect(cooling.status.drs.moves).toEqual([]);
    expect(cooling.status.drs.summary).toMatch(/1 VMs cooling down after a recent move/);
    await rt.advance(900);
    await landMigrations(rt);
    expect((await vmOf(rt, "free")).status.currentHost).toBe("esx1");
  });

  it("does not move a VM whose migration would not pay for itself", async () => {
    // Dirtying memory faster than the 1000 Mbit/s link: pre-copy would never converge.
    await skewedCluster(rt, { hosts: 2, vms: { dirty: busy(8000, { dirtyRateMbps: 1200 }), stay: { ...busy(8000), host: "esx1" } } });
    const c = (await rt.runDrs("prod")) as Awaited<ReturnType<typeof clusterOf>>;
    expect(c.status.drs.moves).toEqual([]);
    expect(c.status.drs.summary).toMatch(/1 candidate moves cost more than they gain/);
  });
});

describe("entitlements and usage in status", () => {
  it("divides a contended host by shares and holds pool limits on every host", async () => {
    await rt.apply({ kind: "Cluster", name: "prod", spec: { drs: { enabled: false } } });
    await rt.apply({
      kind: "Host",
      name: "esx1",
      spec: {
        cluster: "prod",
        hypervisor: "esx",
        cpu: { sockets: 1, coresPerSocket: 4, mhz: 3000, vendor: "intel", features: ["vmx", "ept", "lm"] },
        memoryMb: 65536,
      },
    });
    await rt.apply(vm("hi", { ...busy(12000), cpu: { shares: "high" } }));
    await rt.apply(vm("lo", busy(12000)));
    await rt.advance(300);
    // 12000 MHz split 2:1 by shares (high 2000 vs normal 1000 per vCPU, both 2 vCPUs). Each share
    // includes the hypervisor's 2% (hardware assistance with EPT, CPU-bound: virtualization-overhead.ts), so the
    // guest gets floor(8000 / 1.02) = 7843 MHz of hi's 8000 and the hypervisor the other 157.
    expect((await vmOf(rt, "hi")).status).toMatchObject({ cpuEntitlementMhz: 8000, cpuUsedMhz: 7843, overheadCpuMhz: 157 });
    expect((await vmOf(rt, "lo")).status).toMatchObject({ cpuEntitlementMhz: 4000, cpuUsedMhz: 3921, overheadCpuMhz: 79 });
    expect((await hostOf(rt, "esx1")).status).toMatchObject({ cpuUsedMhz: 12000, cpuEntitlementMhz: 12000 });

    await rt.apply({
      kind: "Host",
      name: "esx2",
      spec: {
        cluster: "prod",
        hypervisor: "esx",
        cpu: { sockets: 1, coresPerSocket: 4, mhz: 3000, vendor: "intel", features: ["vmx", "ept", "lm"] },
        memoryMb: 65536,
      },
    });
    await rt.apply({ kind: "ResourcePool", name: "capped", spec: { cluster: "prod", cpu: { limitMhz: 3000 } } });
    await rt.apply(vm("x", { ...busy(5000), pool: "capped", host: "esx2" }));
    await rt.advance(300);
    // The pool's 3000 MHz limit binds across both of its VMs even though esx2 has room for x's demand.
    await rt.apply(vm("hi", { ...busy(12000), cpu: { shares: "high" }, pool: "capped", host: "esx1" }));
    await rt.advance(300);
    const [hi, x] = [await vmOf(rt, "hi"), await vmOf(rt, "x")];
    expect(hi.status.cpuEntitlementMhz + x.status.cpuEntitlementMhz).toBeLessThanOrEqual(3000);
    expect(hi.status.cpuUsedMhz + hi.status.overheadCpuMhz + x.status.cpuUsedMhz + x.status.overheadCpuMhz).toBeLessThanOrEqual(3000);
    // high (2000/vCPU) vs normal (1000/vCPU): 2:1 of 3000, i.e. 2000 MHz of which the guest gets floor(2000 / 1.02).
    expect(hi.status.cpuUsedMhz + hi.status.overheadCpuMhz).toBe(2000);
    expect(hi.status.cpuUsedMhz).toBe(1960);
  });

  it("follows a diurnal profile over the simulated day", async () => {
    await rt.apply({ kind: "Cluster", name: "prod", spec: { drs: { intervalSeconds: 3600 } } });
    await rt.apply({
      kind: "Host",
      name: "esx1",
      spec: {
        cluster: "prod",
        hypervisor: "esx",
        cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
        memoryMb: 65536,
      },
    });
    await rt.apply(vm("web", { workload: { profile: "diurnal", cpuDemandMhz: 1000, amplitude: 0.5, peakHour: 14 } }));
    const demandAt = async (hour: number) => {
      await rt.advance(hour * 3600 - (await rt.now()));
      return (await vmOf(rt, "web")).status.cpuDemandMhz;
    };
    expect(await demandAt(2)).toBe(500); // 12 h from the peak: 1000 * (1 - 0.5)
    expect(await demandAt(14)).toBe(1500);
    expect(await demandAt(20)).toBe(1000);
  });

  it("refuses profile parameters that do not belong to the profile", async () => {
    await rt.apply({ kind: "Cluster", name: "prod", spec: {} });
    await expect(rt.apply(vm("w", { workload: { profile: "constant", amplitude: 0.3 } }))).rejects.toThrow(
      /field workload.amplitude: amplitude applies to the diurnal profile, not constant/,
    );
  });
});
