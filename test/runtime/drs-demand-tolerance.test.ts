/**
 * `drs.demandTolerancePercent`: a periodic pass keeps a VM's stored CPU demand while the new sample is
 * within the tolerance of it, so a slowly moving diurnal workload is not rewritten on every pass; a
 * sample beyond it is taken. Absent, every sample is kept exactly.
 */
import { describe, expect, it } from "vitest";
import type { RuntimeObject, World } from "../../runtime/core/kernel/model";
import { LocalRuntime } from "../../runtime/local-runtime";
import { SqliteStore } from "../../runtime/store/sqlite";
import { cluster, esxHost, vm } from "../support/fixtures";

const demandOf = (world: World, name: string) => (world.get("VirtualMachine", name)!.status as { cpuDemandMhz: number }).cpuDemandMhz;

async function diurnalRun(drs: Record<string, unknown>) {
  const store = new SqliteStore(":memory:", { seed: 3 });
  const rt = new LocalRuntime(store);
  await rt.apply(cluster("prod", { drs: { intervalSeconds: 300, ...drs } }));
  await rt.apply(esxHost("esx1"));
  // 1000 MHz swinging by 50% over the day, peaking at noon: about 1% of its level moves per pass near 06:00.
  await rt.apply(vm("web", { workload: { profile: "diurnal", cpuDemandMhz: 1000, amplitude: 0.5, peakHour: 12 } }));
  await rt.advance(6 * 3600 - 300);
  const demands: number[] = [];
  const rewrites: boolean[] = [];
  for (let pass = 0; pass < 6; pass++) {
    const before = await store.read((w) => w.get("VirtualMachine", "web") as RuntimeObject);
    await rt.advance(300);
    rewrites.push(await store.read((w) => w.get("VirtualMachine", "web") !== before));
    demands.push(await store.read((w) => demandOf(w, "web")));
  }
  await rt.close();
  return { demands, rewrites };
}

describe("DRS demand tolerance", () => {
  it("absent: every pass takes the new sample and rewrites the VM", async () => {
    const { demands, rewrites } = await diurnalRun({});
    expect(new Set(demands).size).toBe(demands.length);
    expect(rewrites.every(Boolean)).toBe(true);
  });

  it("keeps the stored demand while samples stay within the tolerance, and takes one beyond it", async () => {
    const exact = (await diurnalRun({})).demands;
    const { demands, rewrites } = await diurnalRun({ demandTolerancePercent: 3 });
    // Each pass moves the diurnal level by about 1.3% here, so every third or fourth sample is taken.
    expect(rewrites.filter(Boolean).length).toBeGreaterThan(0);
    expect(rewrites.filter(Boolean).length).toBeLessThan(rewrites.length / 2);
    let stored = demands[0];
    demands.forEach((d, i) => {
      if (d !== stored) {
        expect(d).toBe(exact[i]);
        stored = d;
      }
      expect(Math.abs(exact[i] - d)).toBeLessThanOrEqual(0.03 * d);
    });
  });

  it("refuses a tolerance out of range, naming the field", async () => {
    const rt = new LocalRuntime(new SqliteStore(":memory:", { seed: 3 }));
    await expect(rt.apply(cluster("prod", { drs: { demandTolerancePercent: 80 } }))).rejects.toThrow(/drs\.demandTolerancePercent/);
    await rt.close();
  });
});
