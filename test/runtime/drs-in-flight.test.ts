/**
 * DRS never plans a VM that is migrating or one it has already moved in the same pass, a mandatory
 * affinity group moves whole or not at all, and nothing DRS does on its own stops the simulated clock.
 * The cluster: three hosts, six VMs, vm-101 live-migrating node1 -> node2 after a load-balancing pass,
 * when a mandatory affinity rule over vm-101, vm-105 (node2) and vm-106 (node1) arrives. vm-105's
 * peers are split one and one, so the rule pulls it to node1; its group on node2 includes vm-101,
 * which is still in flight and cannot start a second move.
 */
import { describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { ClusterObject, RuntimeEvent, VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";

const PLACE: Record<string, string> = {
  "vm-101": "node1",
  "vm-102": "node1",
  "vm-103": "node1",
  "vm-104": "node3",
  "vm-105": "node2",
  "vm-106": "node1",
};
const RULE = {
  kind: "Rule" as const,
  name: "together",
  spec: { cluster: "prod", type: "affinity", vms: ["vm-101", "vm-105", "vm-106"], mandatory: true },
};

/** A DRS pass has started moving vm-101 from node1 to node2 (about 82 s: 1 GB over a 100 Mbit/s link). */
async function clusterWithOneMigrating(automationLevel: "manual" | "fullyAutomated"): Promise<Runtime> {
  const rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", { drs: { automationLevel, migrationThreshold: 3 }, migration: { bandwidthMbps: 100 } }));
  for (const h of ["node1", "node2", "node3"]) await rt.apply(esxHost(h, "prod", { memoryMb: 32768 }));
  const spec = () => ({ memoryMb: 1024, workload: { cpuDemandMhz: 6000, activeMemoryMb: 256 } });
  for (const [name, host] of Object.entries(PLACE)) await rt.apply(vm(name, { host, ...spec() }));
  for (const name of Object.keys(PLACE)) await rt.apply(vm(name, spec()));
  await rt.runDrs("prod", { apply: true });
  const moving = (await rt.get("VirtualMachine", "vm-101")) as VirtualMachineObject;
  expect(moving.status.migration).toMatchObject({ fromHost: "node1", toHost: "node2" });
  return rt;
}

const hostsOf = async (rt: Runtime) =>
  Object.fromEntries(((await rt.list("VirtualMachine")) as VirtualMachineObject[]).map((v) => [v.name, v.status.currentHost]));

/** Each DrsMigrated event names a VM that was not migrating at the time: one move at a time per VM. */
function expectNoSecondMove(events: RuntimeEvent[]): void {
  const inFlight = new Set<string>();
  for (const e of events) {
    if (e.reason === "DrsMigrated" || e.reason === "MigrationStarted") {
      expect(inFlight.has(e.name), `${e.name} moved again at t=${e.timeSeconds} while in flight`).toBe(false);
      inFlight.add(e.name);
    }
    if (e.reason === "Migrated" || e.reason === "MigrationAborted") inFlight.delete(e.name);
  }
}

describe("DRS and VMs in flight", () => {
  it("a mandatory rule added while a member migrates: the apply succeeds, the group waits, and the rule holds once the moves land", async () => {
    const rt = await clusterWithOneMigrating("fullyAutomated");
    const rule = await rt.apply(RULE);
    expect(rule.kind).toBe("Rule");
    const drs = ((await rt.get("Cluster", "prod")) as ClusterObject).status.drs;
    // vm-106 joins node2 at once; vm-105, whose group holds vm-101 in flight, is not moved again.
    expect(drs.moves.map((m) => [m.vm, m.fromHost, m.toHost])).toEqual([["vm-106", "node1", "node2"]]);
    expect(drs.unresolved).toEqual([]);
    const start = await rt.now();
    await rt.advance(600);
    expect(await rt.now()).toBe(start + 600);
    const at = await hostsOf(rt);
    expect(new Set([at["vm-101"], at["vm-105"], at["vm-106"]]).size).toBe(1);
    const events = await rt.events();
    expect(events.filter((e) => e.reason === "StepFailed")).toEqual([]);
    expectNoSecondMove(events);
    await rt.close();
  });

  it("a periodic pass while a group member is still in flight does not stop the clock", async () => {
    // In manual mode the rule's pass only recommends; then passes every 60 s run while vm-101 is in flight.
    const rt = await clusterWithOneMigrating("manual");
    await rt.apply(RULE);
    await rt.apply(
      cluster("prod", {
        drs: { automationLevel: "fullyAutomated", migrationThreshold: 3, intervalSeconds: 60 },
        migration: { bandwidthMbps: 100 },
      }),
    );
    const start = await rt.now();
    for (let i = 1; i <= 10; i++) {
      await rt.advance(60);
      expect(await rt.now()).toBe(start + 60 * i);
    }
    const at = await hostsOf(rt);
    expect(new Set([at["vm-101"], at["vm-105"], at["vm-106"]]).size).toBe(1);
    const events = await rt.events();
    expect(events.filter((e) => e.reason === "StepFailed")).toEqual([]);
    expectNoSecondMove(events);
    await rt.close();
  });
});
