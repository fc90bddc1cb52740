/** Utilization history: a point per DRS pass, hourly means after a day, bounded retention. */
import { describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import {
  type ChunkShelf,
  DAY,
  HOUR,
  type HistoryChunk,
  type Tier,
  chunkPrefix,
  clusterHistory,
  recordSample,
} from "../../runtime/core/history/series";
import { cluster, esxHost, vm } from "../support/fixtures";

/** Chunks in a plain map, as the world keeps them (names sorted). */
function mapShelf(): ChunkShelf & { chunks: Map<string, HistoryChunk> } {
  const chunks = new Map<string, HistoryChunk>();
  return {
    chunks,
    get: (name) => chunks.get(name),
    put: (name, chunk) => void chunks.set(name, chunk),
    remove: (name) => void chunks.delete(name),
    names: (c: string, tier: Tier) => [...chunks.keys()].filter((n) => n.startsWith(chunkPrefix(c, tier))).sort(),
  };
}

const sample = (t: number, hosts: number, cpu: (h: number, t: number) => number) => ({
  timeSeconds: t,
  imbalance: 0.05,
  targetImbalance: 0.1,
  hosts: Array.from({ length: hosts }, (_, h) => ({
    name: `esx${String(h + 1).padStart(2, "0")}`,
    values: { cpuUsedMhz: cpu(h, t), cpuReservedMhz: 1000, memoryUsedMb: 30000 + h, memoryReservedMb: 8192 },
  })),
});

describe("utilization history series", () => {
  it("keeps a simulated month of 5-minute passes on 96 hosts within a few MB", () => {
    const shelf = mapShelf();
    for (let t = 300; t <= 31 * DAY; t += 300)
      recordSample(
        shelf,
        "prod",
        sample(t, 96, (h, t) => 20000 + ((h * 7919 + t / 300) % 9000)),
      );
    const bytes = [...shelf.chunks.values()].reduce((sum, c) => sum + JSON.stringify(c).length, 0);
    console.log(`history of 31 days on 96 hosts: ${shelf.chunks.size} chunks, ${(bytes / 1e6).toFixed(2)} MB`);
    expect(bytes).toBeLessThan(5e6);
    const h = clusterHistory(shelf, "prod", 0, Infinity);
    // Hourly means for the hours whose raw points were dropped, then a day and a bit of raw points.
    const rawPoints = h.times.filter((t) => t % HOUR !== 0 || t > 30 * DAY).length;
    expect(rawPoints).toBeGreaterThanOrEqual(288);
    expect(h.times.length).toBeLessThan(31 * 24 + 300);
    expect(Object.keys(h.hosts)).toHaveLength(96);
    expect(h.times).toEqual([...h.times].sort((a, b) => a - b));
  });

  it("drops hourly means past their retention", () => {
    const shelf = mapShelf();
    for (let t = 0; t <= 40 * DAY; t += HOUR)
      recordSample(
        shelf,
        "prod",
        sample(t, 2, () => 100),
      );
    const h = clusterHistory(shelf, "prod", 0, Infinity);
    expect(h.times[0]).toBeGreaterThanOrEqual(40 * DAY - 36 * DAY);
  });

  it("averages an hour's passes into its hourly point", () => {
    const shelf = mapShelf();
    // Passes at 0, 1200, 2400 with CPU 100, 200, 300: their hour averages to 200 once the next hour opens.
    for (const [t, cpu] of [
      [0, 100],
      [1200, 200],
      [2400, 300],
      [HOUR, 900],
    ] as const)
      recordSample(
        shelf,
        "prod",
        sample(t, 1, () => cpu),
      );
    const day = shelf.get(`prod:hourly:${String(0).padStart(12, "0")}`)!;
    expect(day.times).toEqual([0]);
    expect(day.hosts.esx01.cpuUsedMhz).toEqual([200]);
  });

  it("pads a host that joins later with nulls", () => {
    const shelf = mapShelf();
    recordSample(
      shelf,
      "prod",
      sample(0, 1, () => 1),
    );
    recordSample(
      shelf,
      "prod",
      sample(300, 2, () => 2),
    );
    const h = clusterHistory(shelf, "prod", 0, Infinity);
    expect(h.hosts.esx02.cpuUsedMhz).toEqual([null, 2]);
    expect(h.hosts.esx01.cpuUsedMhz).toEqual([1, 2]);
  });
});

describe("Runtime.history", () => {
  it("records each periodic DRS pass of a cluster with its hosts' usage and imbalance", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    try {
      await rt.apply(cluster("prod", { drs: { intervalSeconds: 300 } }));
      await rt.apply(esxHost("esx1"));
      await rt.apply(esxHost("esx2"));
      await rt.apply(vm("a", { workload: { cpuDemandMhz: 3000 } }));
      await rt.advance(3 * 300);
      const [h] = await rt.history({ cluster: "prod" });
      expect(h.times).toEqual([300, 600, 900]);
      const used = h.hosts.esx1.cpuUsedMhz.map((v, i) => (v ?? 0) + (h.hosts.esx2.cpuUsedMhz[i] ?? 0));
      expect(used.every((v) => v >= 3000)).toBe(true);
      expect(h.imbalance.every((v) => v >= 0)).toBe(true);
      expect(await rt.history({ cluster: "prod", fromSeconds: 600 })).toMatchObject([{ times: [600, 900] }]);
      await expect(rt.history({ fromSeconds: -1 })).rejects.toMatchObject({ code: "InvalidSpec" });
      // Deleting the cluster's members and the cluster forgets its history.
      await rt.delete("VirtualMachine", "a");
      await rt.delete("Host", "esx1");
      await rt.delete("Host", "esx2");
      await rt.delete("Cluster", "prod");
      expect(await rt.history()).toEqual([]);
    } finally {
      await rt.close();
    }
  });
});
