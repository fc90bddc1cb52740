/**
 * Maintenance mode (vSphere Resource Management guide, "Using DRS Clusters to Manage Resources /
 * Using Maintenance Mode": "the host is in a state of Entering Maintenance Mode until all running
 * virtual machines are powered down or migrated to different hosts"; VMs that cannot move block it).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { busy, clusterOf, eventsSince, hostOf, landMigrations, lastSeq, placement, skewedCluster } from "../support/drs-fixtures";
import { accountingMismatches, asInventory } from "../support/oracle";

let rt: Runtime;
beforeEach(async () => {
  rt = await openRuntime({ path: ":memory:" });
});
afterEach(async () => {
  await rt.close();
});

const maintenance = (name: string, on = true) => esxHost(name, "prod", { maintenance: on });

async function snapshot() {
  return JSON.stringify({
    objects: [await rt.list("Host"), await rt.list("VirtualMachine"), await rt.list("Cluster")],
    events: (await rt.events()).length,
  });
}

describe("maintenance mode", () => {
  it("evacuates every VM, then reports maintenance", async () => {
    await skewedCluster(rt, {
      clusterSpec: { drs: { automationLevel: "manual" } },
      hosts: 3,
      vms: { a: busy(4000), b: busy(2000), c: busy(1000) },
    });
    const seq = await lastSeq(rt);
    await rt.apply(maintenance("esx1"));
    // The VMs run on esx1 until their live migrations land; meanwhile no new VM goes there.
    expect((await hostOf(rt, "esx1")).status).toMatchObject({ state: "enteringMaintenance", vms: ["a", "b", "c"] });
    await rt.apply(vm("late"));
    expect((await placement(rt)).late).not.toBe("esx1");
    await landMigrations(rt);
    expect((await hostOf(rt, "esx1")).status).toMatchObject({ state: "maintenance", vms: [], cpuReservedMhz: 0, cpuUsedMhz: 0 });
    expect(Object.values(await placement(rt))).not.toContain("esx1");
    const events = await eventsSince(rt, seq);
    expect(events.filter((e) => e.reason === "DrsMigrated").map((e) => e.name)).toEqual(["a", "b", "c"]);
    expect(events.find((e) => e.reason === "DrsMigrated")!.message).toMatch(
      /^moved from esx1 to esx\d \(priority 1\): mandatory: host esx1 is entering maintenance mode; live migration esx1 -> esx\d: .* expected$/,
    );
    expect(events.find((e) => e.reason === "EnteringMaintenance")).toMatchObject({
      name: "esx1",
      message: "evacuating 3 VM(s): 3 live migration(s) started; the host enters maintenance mode when they land",
    });
    expect(
      events
        .filter((e) => e.reason === "Migrated")
        .map((e) => e.name)
        .sort(),
    ).toEqual(["a", "b", "c"]);
    const entered = events.at(-1)!;
    expect(entered).toMatchObject({ kind: "Host", name: "esx1", reason: "MaintenanceEntered" });
    // Entered when the last migration landed, not when it was asked.
    expect(entered.timeSeconds).toBe(Math.max(...events.filter((e) => e.reason === "Migrated").map((e) => e.timeSeconds)));
    const inv = asInventory({
      Cluster: await rt.list("Cluster"),
      Host: await rt.list("Host"),
      ResourcePool: [],
      VirtualMachine: await rt.list("VirtualMachine"),
    });
    expect(accountingMismatches(inv)).toEqual([]);
    // The biggest VM went to a host of its own: the evacuation keeps the imbalance low.
    const where = await placement(rt);
    expect(where.b).toBe(where.c);
    expect(where.a).not.toBe(where.b);
  });

  it("fails with every VM that cannot move and why, and moves nothing", async () => {
    await rt.apply(cluster("prod"));
    await rt.apply(esxHost("esx1"));
    await rt.apply(esxHost("esx2", "prod", { memoryMb: 8192 }));
    await rt.apply(vm("free", { host: "esx1" }));
    await rt.apply(vm("free"));
    await rt.apply(vm("pinned", { host: "esx1" }));
    await rt.apply(vm("big", { host: "esx1", memory: { reservationMb: 16384 } }));
    await rt.apply(vm("big", { memory: { reservationMb: 16384 } }));
    const before = await snapshot();
    const error = await rt.apply(maintenance("esx1")).catch((e) => e);
    expect(error.code).toBe("Conflict");
    expect(error.message).toMatch(
      /^Conflict: Host esx1: field maintenance: 2 of 3 running VMs cannot be evacuated, so no VM was moved and the host stays connected/,
    );
    expect(error.details).toEqual([
      "big: no other host can take it (esx2: needs 16384 MB reserved memory (incl. overhead), 8192 MB unreserved)",
      "pinned: pinned to esx1 (spec.host)",
    ]);
    expect(await snapshot()).toBe(before);
  });

  it("is blocked by a mandatory anti-affinity rule with nowhere else to go", async () => {
    await skewedCluster(rt, { hosts: 2, vms: { a: busy(100) } });
    await rt.apply(vm("b", { ...busy(100), host: "esx2" }));
    await rt.apply(vm("b", busy(100)));
    await rt.apply({ kind: "Rule", name: "apart", spec: { cluster: "prod", type: "antiAffinity", vms: ["a", "b"] } });
    const error = await rt.apply(maintenance("esx1")).catch((e) => e);
    expect(error.details).toEqual(["a: no other host can take it (esx2: mandatory rule apart: keeps it apart from b (on esx2))"]);
  });

  it("moves the VMs of a mandatory affinity rule together", async () => {
    await skewedCluster(rt, { hosts: 3, vms: { a: busy(100), b: busy(100) } });
    await rt.apply({ kind: "Rule", name: "ab", spec: { cluster: "prod", type: "affinity", vms: ["a", "b"], mandatory: true } });
    await rt.apply(maintenance("esx1"));
    await landMigrations(rt);
    const where = await placement(rt);
    expect(where.a).toBe(where.b);
    expect(where.a).not.toBe("esx1");
  });

  it("refuses on a standalone host with running VMs", async () => {
    await rt.apply(esxHost("solo", null));
    await rt.apply({ kind: "VirtualMachine", name: "s", spec: { host: "solo", vcpus: 1, memoryMb: 512, guestOs: "linux" } });
    await expect(rt.apply(esxHost("solo", null, { maintenance: true }))).rejects.toMatchObject({
      code: "Conflict",
      message: expect.stringMatching(/a standalone host has no other host/),
    });
  });

  it("lets DRS use the host again once it leaves maintenance", async () => {
    await skewedCluster(rt, { hosts: 2, vms: { a: busy(8000), b: busy(8000) } });
    await rt.runDrs("prod");
    await landMigrations(rt);
    await rt.apply(maintenance("esx2"));
    await landMigrations(rt);
    expect(Object.values(await placement(rt))).toEqual(["esx1", "esx1"]);
    await rt.apply(maintenance("esx2", false));
    expect((await hostOf(rt, "esx2")).status.state).toBe("connected");
    await rt.advance(900);
    await landMigrations(rt);
    expect(new Set(Object.values(await placement(rt)))).toEqual(new Set(["esx1", "esx2"]));
    expect((await clusterOf(rt)).status.drs.imbalance).toBeLessThanOrEqual((await clusterOf(rt)).status.drs.targetImbalance);
  });

  it("calls off DRS migrations heading for the host, is blocked by a pinned one, and can be called off itself", async () => {
    await skewedCluster(rt, {
      clusterSpec: { drs: { automationLevel: "manual" } },
      hosts: 3,
      vms: { a: busy(6000), b: busy(6000), c: busy(6000) },
    });
    await rt.apply(vm("p", { host: "esx3" }));
    await rt.apply(vm("p", { host: "esx2" }));
    const pinned = await rt.apply(maintenance("esx2")).catch((e) => e);
    expect(pinned.details).toEqual(["p: migrating from esx3 to esx2"]);
    await landMigrations(rt);

    await rt.runDrs("prod", { apply: true });
    const moving = ((await rt.list("VirtualMachine")) as VirtualMachineObject[]).filter((v) => v.status.migration !== null);
    expect(moving.length).toBeGreaterThan(0);
    const target = moving[0].status.migration!.toHost;
    const seq = await lastSeq(rt);
    await rt.apply(maintenance(target));
    const aborted = (await eventsSince(rt, seq)).filter((e) => e.reason === "MigrationAborted").map((e) => e.name);
    expect(aborted).toEqual(moving.filter((v) => v.status.migration!.toHost === target).map((v) => v.name));
    expect((await hostOf(rt, target)).status.incomingVms).toEqual([]);

    await rt.apply(maintenance("esx1"));
    expect((await hostOf(rt, "esx1")).status.state).toBe("enteringMaintenance");
    await rt.apply(maintenance("esx1", false));
    expect((await hostOf(rt, "esx1")).status.state).toBe("connected");
    expect((await rt.events()).at(-1)).toMatchObject({ name: "esx1", reason: "MaintenanceCancelled" });
    await landMigrations(rt);
    expect((await hostOf(rt, "esx1")).status.state).toBe("connected");
  });

  it("evacuates again a VM whose migration was abandoned, then enters maintenance", async () => {
    await skewedCluster(rt, { clusterSpec: { drs: { automationLevel: "manual" } }, hosts: 3, vms: { a: busy(100) } });
    await rt.apply(maintenance("esx1"));
    const target = (await rt.get("VirtualMachine", "a"))!.status as { migration: { toHost: string } };
    const seq = await lastSeq(rt);
    await rt.failHost(target.migration.toHost);
    // The retry is due at once: the next move of the clock runs it.
    await rt.advance(0);
    await landMigrations(rt);
    const events = (await eventsSince(rt, seq)).map((e) => `${e.name} ${e.reason}`);
    expect(events).toEqual(expect.arrayContaining([`a MigrationAborted`, `a DrsMigrated`, `a Migrated`, `esx1 MaintenanceEntered`]));
    expect(events.indexOf("a DrsMigrated")).toBeGreaterThan(events.indexOf("a MigrationAborted"));
    expect((await hostOf(rt, "esx1")).status.state).toBe("maintenance");
    expect((await placement(rt)).a).not.toBe(target.migration.toHost);
  });
});
