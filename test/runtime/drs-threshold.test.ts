/**
 * Migration thresholds. Each level's target: priority = 6 - ceil(imbalance / 0.1 * sqrt(hosts)) (VMware
 * KB "Calculating the priority level of a VMware DRS migration recommendation", quoted by vbrownbag.com
 * 2010), a move applied when priority <= threshold (vSphere Resource Management 6.0/6.7, "DRS Migration
 * Threshold"); level 5 "applies all recommendations, even those with a slight improvement"
 * (mindthevirt.com, "vSphere DRS Migration Thresholds").
 */
import { describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import type { ClusterObject } from "../../runtime";
import { targetImbalance } from "../../runtime/core/drs/imbalance";
import { cluster, esxHost, vm } from "../support/fixtures";

describe("DRS migration threshold", () => {
  it("tolerates (5 - threshold) x 0.1 / sqrt(hosts) of imbalance", () => {
    expect([2, 3, 4, 5].map((t) => Number(targetImbalance(t, 3).toFixed(4)))).toEqual([0.1732, 0.1155, 0.0577, 0]);
    expect(targetImbalance(3, 4)).toBeCloseTo(0.1, 10);
  });

  /** Hosts at 80%, 10% and 0% CPU: two busy 16 GB VMs on the first host, a small one on the second. */
  async function passes(threshold: number) {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(cluster("prod", { drs: { migrationThreshold: threshold } }));
    for (const h of ["h1", "h2", "h3"]) await rt.apply(esxHost(h));
    const place = [
      ["a", "h1", 16600],
      ["b", "h1", 16600],
      ["c", "h2", 4100],
    ] as const;
    const spec = (demand: number) => ({ memoryMb: 16384, workload: { cpuDemandMhz: demand, activeMemoryMb: 8192, dirtyRateMbps: 200 } });
    for (const [name, host, demand] of place) await rt.apply(vm(name, { host, ...spec(demand) }));
    for (const [name, , demand] of place) await rt.apply(vm(name, spec(demand)));
    await rt.advance(15 * 60);
    const drs = ((await rt.get("Cluster", "prod")) as ClusterObject).status.drs;
    const events = (await rt.events()).filter((e) => e.reason === "DrsMigrated");
    await rt.close();
    return { drs, events };
  }

  it("level 4 leaves a move that costs more than it gains; level 5 makes it", async () => {
    const four = await passes(4);
    expect(four.events).toEqual([]);
    expect(four.drs.summary).toMatch(/candidate moves cost more than they gain/);
    const five = await passes(5);
    expect(five.events.map((e) => e.name)).toEqual(["a"]);
    expect(five.events[0].message).toMatch(/cost [\d.]+ > \(threshold 5 moves anyway\) benefit/);
    // One busy VM per host is the best any placement of these three VMs can do.
    expect(five.drs.imbalance).toBeLessThan(four.drs.imbalance / 2);
    expect(five.drs.summary).not.toMatch(/pays for itself/);
  });
});
