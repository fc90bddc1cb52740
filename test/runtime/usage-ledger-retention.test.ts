/**
 * The usage ledger must not keep what it no longer needs: a DRS pass rewrites most VMs of a cluster
 * (new demand samples and entitlements), more than an operation applies to the per-host sums, so the
 * ledger is not read on that path. Whatever it holds after N committed passes must be bounded by the
 * VMs that run, not grow with N. Counted in entries, not resident memory, so the test is exact.
 */
import { describe, expect, it } from "vitest";
import type { RuntimeObject, World } from "../../runtime/core/kernel/model";
import { USAGE_LEDGER } from "../../runtime/core/vms/vm-usage-ledger";
import { LocalRuntime } from "../../runtime/local-runtime";
import { SqliteStore } from "../../runtime/store/sqlite";
import { cluster, esxHost, vm } from "../support/fixtures";

const HOSTS = 4;
const VMS = 120;

describe("usage ledger retention", () => {
  it("holds at most one entry per running VM however many passes commit", async () => {
    const store = new SqliteStore(":memory:", { seed: 11 });
    const rt = new LocalRuntime(store);
    await rt.apply(cluster("prod", { drs: { automationLevel: "fullyAutomated", intervalSeconds: 300 } }));
    for (let h = 1; h <= HOSTS; h++) await rt.apply(esxHost(`esx${h}`));
    for (let i = 0; i < VMS; i++) {
      const profile = i % 2 === 0 ? "diurnal" : "bursty";
      await rt.apply(
        vm(`vm${String(i).padStart(3, "0")}`, {
          powerState: "on",
          memoryMb: 1024,
          workload: { profile, cpuDemandMhz: 400 + (i % 7) * 150, activeMemoryMb: 512 },
        }),
      );
    }
    const snapshot = (world: World) => ({
      records: new Map((world.list("VirtualMachine") as RuntimeObject[]).map((o) => [o.name, o])),
      running: (world.list("VirtualMachine") as RuntimeObject[]).filter(
        (o) => (o.status as { currentHost: string | null }).currentHost !== null,
      ).length,
      retained: world.ledger(USAGE_LEDGER).retainedEntries,
    });
    let previous = await store.read(snapshot);
    let largestRewrite = 0;
    for (let pass = 0; pass < 40; pass++) {
      await rt.advance(300);
      const now = await store.read(snapshot);
      let rewritten = 0;
      for (const [name, record] of now.records) if (previous.records.get(name) !== record) rewritten++;
      largestRewrite = Math.max(largestRewrite, rewritten);
      expect(now.retained).toBeLessThanOrEqual(now.running);
      previous = now;
    }
    // The passes took the path that does not read the ledger (more than 64 VMs changed in one step).
    expect(largestRewrite).toBeGreaterThan(64);
    await rt.close();
  });
});
