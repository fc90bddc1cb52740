import { beforeEach, describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { HostObject, VirtualMachineObject } from "../../runtime";
import { execute } from "../../runtime/core/commands";
import { RUNTIME_TIMELINE } from "../../runtime/core/timer-handlers";
import { advance } from "../../runtime/core/kernel/timeline";
import { createWorld } from "../../runtime/core/world-setup";
import { Txn } from "../../runtime/core/kernel/txn";
import { migrateVm } from "../../runtime/core/vms/vm-moves";
import { cluster, datastore, esxHost, vm } from "../support/fixtures";
import { accountingMismatches, asInventory } from "../support/oracle";

async function inventory(rt: Runtime) {
  return asInventory({
    Cluster: await rt.list("Cluster"),
    Host: await rt.list("Host"),
    ResourcePool: await rt.list("ResourcePool"),
    VirtualMachine: await rt.list("VirtualMachine"),
  });
}

const getVm = async (rt: Runtime, name: string) => (await rt.get("VirtualMachine", name)) as VirtualMachineObject;
const getHost = async (rt: Runtime, name: string) => (await rt.get("Host", name)) as HostObject;

describe("migrateVm", () => {
  it("holds the target's reservation in flight, then moves the footprint when the timer fires", () => {
    const world = createWorld({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 });
    for (const obj of [cluster(), esxHost("esx1"), esxHost("esx2"), vm("v", { memory: { reservationMb: 1000 } })]) {
      world.applyChanges(execute(world, { type: "apply", ...obj, mode: "upsert" }).changes);
    }
    const txn = new Txn(world);
    const from = txn.get<VirtualMachineObject>("VirtualMachine", "v")!.status.currentHost!;
    const to = from === "esx1" ? "esx2" : "esx1";
    migrateVm(txn, "v", to, { reason: "DrsMigrated", message: "test move" });
    const inFlight = txn.get<VirtualMachineObject>("VirtualMachine", "v")!;
    expect(inFlight.status).toMatchObject({ currentHost: from, migrations: 0, migration: { kind: "live", fromHost: from, toHost: to } });
    expect(txn.get<HostObject>("Host", to)!.status.memoryReservedMb).toBe(1000);
    expect(txn.get<HostObject>("Host", from)!.status.memoryReservedMb).toBe(1000);
    expect(txn.events.map((e) => e.reason)).toEqual(["DrsMigrated"]);
    expect(txn.events[0].message).toMatch(
      /^test move; live migration esx\d -> esx\d: 1 pre-copy round\(s\), 4096 MB sent, [\d.]+ s, downtime 25 ms/,
    );

    // vMotion sends an idle 4 GB VM once at the link's rate: 4096 MB x 8 / 1000 Mbit/s = 32.768 s, plus 25 ms.
    expect(inFlight.status.migration!.completesAtSeconds).toBeCloseTo(32.793, 3);
    advance(txn, 32.79, RUNTIME_TIMELINE);
    expect(txn.get<VirtualMachineObject>("VirtualMachine", "v")!.status.currentHost).toBe(from);
    advance(txn, 0.01, RUNTIME_TIMELINE);
    world.applyChanges(txn.changes());
    const moved = world.get("VirtualMachine", "v") as VirtualMachineObject;
    expect(moved.status).toMatchObject({
      currentHost: to,
      migrations: 1,
      migration: null,
      lastMigration: { fromHost: from, toHost: to, kind: "live", rounds: 1, transferredMb: 4096, downtimeMs: 25 },
    });
    expect((world.get("Host", to) as HostObject).status.memoryReservedMb).toBe(1000);
    expect((world.get("Host", from) as HostObject).status.memoryReservedMb).toBe(0);
    expect([...world.related("vmsOnHost", to)]).toEqual(["v"]);
  });

  it("refuses a second move of a VM in flight, or a target it cannot use, with a contract code", () => {
    const world = createWorld({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 });
    for (const obj of [cluster(), esxHost("esx1"), esxHost("esx2"), esxHost("esx3"), vm("v", { host: "esx1" })]) {
      world.applyChanges(execute(world, { type: "apply", ...obj, mode: "upsert" }).changes);
    }
    const txn = new Txn(world);
    migrateVm(txn, "v", "esx2", { reason: "DrsMigrated", message: "first move" });
    expect(() => migrateVm(txn, "v", "esx3", { reason: "DrsMigrated", message: "second move" })).toThrow(
      expect.objectContaining({
        code: "Conflict",
        message: "Conflict: VirtualMachine v: field host: cannot live-migrate to esx3: already migrating from esx1 to esx2",
      }),
    );
    expect(() => migrateVm(new Txn(world), "v", "nowhere", { reason: "DrsMigrated", message: "move" })).toThrow(
      expect.objectContaining({ code: "NotFound" }),
    );
  });
});

describe("migrations through the runtime", () => {
  let rt: Runtime;
  beforeEach(async () => {
    rt = await openRuntime({ path: ":memory:" });
    await rt.apply(cluster("prod", { migration: { bandwidthMbps: 1000 } }));
    for (const h of ["esx1", "esx2"]) await rt.apply(esxHost(h));
  });

  it("keeps accounting consistent before, during and after a live migration", async () => {
    await rt.apply(
      vm("v", {
        host: "esx1",
        memory: { reservationMb: 1000 },
        cpu: { reservationMhz: 2000 },
        workload: { dirtyRateMbps: 200, writableWorkingSetMb: 64 },
      }),
    );
    expect(accountingMismatches(await inventory(rt))).toEqual([]);
    const moving = (await rt.apply(
      vm("v", {
        host: "esx2",
        memory: { reservationMb: 1000 },
        cpu: { reservationMhz: 2000 },
        workload: { dirtyRateMbps: 200, writableWorkingSetMb: 64 },
      }),
    )) as VirtualMachineObject;
    expect(accountingMismatches(await inventory(rt))).toEqual([]);
    expect((await getHost(rt, "esx2")).status.cpuReservedMhz).toBe(2000 + moving.status.overheadCpuReservedMhz);
    await rt.advance(moving.status.migration!.completesAtSeconds);
    expect(accountingMismatches(await inventory(rt))).toEqual([]);
    expect((await getVm(rt, "v")).status).toMatchObject({ currentHost: "esx2", lastMigration: { fromHost: "esx1", toHost: "esx2" } });
    expect((await getHost(rt, "esx1")).status).toMatchObject({ cpuReservedMhz: 0, memoryReservedMb: 0, incomingVms: [] });
  });

  it("refuses to change a VM while it migrates, and deleting it gives the target back", async () => {
    await rt.apply(vm("v", { host: "esx1" }));
    await rt.apply(vm("v", { host: "esx2" }));
    await expect(rt.apply(vm("v", { host: "esx2", memoryMb: 8192 }))).rejects.toMatchObject({
      code: "Conflict",
      message: expect.stringContaining("live migration from esx1 to esx2 is in progress"),
    });
    await expect(rt.delete("Host", "esx2")).rejects.toMatchObject({
      code: "Conflict",
      message: expect.stringContaining("VirtualMachine v (migrating here)"),
    });
    await rt.delete("VirtualMachine", "v");
    expect((await getHost(rt, "esx2")).status).toMatchObject({ memoryReservedMb: 0, incomingVms: [] });
    expect((await rt.events()).map((e) => e.reason)).toContain("MigrationAborted");
    await rt.advance(3600);
    expect(accountingMismatches(await inventory(rt))).toEqual([]);
  });

  it("refuses a live migration when the target does not mount a datastore, and cold-migrates relocated disks when off", async () => {
    await rt.apply(datastore("local1", "local"));
    await rt.apply(datastore("local2", "local"));
    await rt.apply(esxHost("esx1", "prod", { datastores: ["local1"] }));
    await rt.apply(esxHost("esx2", "prod", { datastores: ["local2"] }));
    const disks = [{ datastore: "local1", sizeGb: 10 }];
    await rt.apply(vm("v", { host: "esx1", disks }));
    const live = await rt.apply(vm("v", { host: "esx2", disks })).catch((e) => e);
    expect(live.code).toBe("Conflict");
    expect(live.message).toContain(
      "field host: cannot live-migrate from esx1 to esx2: live migration needs shared storage, and esx2 does not mount local1",
    );
    expect(live.message).toContain("disk 0 on datastore local1");
    expect((await getVm(rt, "v")).status.currentHost).toBe("esx1");
    await rt.apply(vm("v", { host: "esx1", disks, powerState: "off" }));
    // Off, the VM still needs its target to see its disks: the change must move them there.
    await expect(rt.apply(vm("v", { host: "esx2", disks, powerState: "off" }))).rejects.toMatchObject({
      code: "Incompatible",
      message: expect.stringContaining(
        "cannot move the VM from esx1 to esx2: esx2 does not mount local1; move those disks to a datastore esx2 mounts",
      ),
    });
    const moved = [{ datastore: "local2", sizeGb: 10 }];
    const cold = await rt.apply(vm("v", { host: "esx2", disks: moved, powerState: "off" }));
    // 10 GB copied over 1000 Mbit/s: 10240 MB x 8 / 1000 = 81.92 s.
    expect((cold as VirtualMachineObject).status.migration).toMatchObject({
      kind: "cold",
      fromHost: "esx1",
      toHost: "esx2",
      completesAtSeconds: 81.92,
    });
    expect((await rt.get("Datastore", "local2"))!.status).toMatchObject({ usedGb: 10, vms: ["v"] });
    expect((await rt.get("Datastore", "local1"))!.status).toMatchObject({ usedGb: 0, vms: [] });
    await expect(rt.apply(vm("v", { host: "esx2", disks: moved }))).rejects.toMatchObject({ code: "Conflict" });
    await rt.advance(82);
    expect((await getVm(rt, "v")).status.lastMigration).toMatchObject({
      kind: "cold",
      transferredMb: 10240,
      totalSeconds: 81.92,
      downtimeMs: 0,
      rounds: 0,
      stopReason: "notLive",
    });
    expect((await getVm(rt, "v")).status.currentHost).toBeNull();
    expect(((await rt.apply(vm("v", { host: "esx2", disks: moved }))) as VirtualMachineObject).status.currentHost).toBe("esx2");
  });

  it("live-migrates over a datastore both hosts mount, whatever the disk backend; a local one pins", async () => {
    await rt.apply(datastore("san", "fc"));
    await rt.apply(datastore("local1", "local"));
    await rt.apply(esxHost("esx1", "prod", { datastores: ["san", "local1"] }));
    await rt.apply(esxHost("esx2", "prod", { datastores: ["san"] }));
    const image = [{ datastore: "san", sizeGb: 20, backend: "image", path: "/vmfs/san/img.vmdk" }];
    await rt.apply(vm("img", { host: "esx1", disks: image }));
    expect(((await rt.apply(vm("img", { host: "esx2", disks: image }))) as VirtualMachineObject).status.migration?.kind).toBe("live");
    // A LUN of the shared FC array seen as a device on both hosts (Xen's phy: on a SAN).
    const lun = [{ datastore: "san", sizeGb: 20, backend: "device", path: "/dev/sdc" }];
    await rt.apply(vm("lun", { host: "esx1", disks: lun }));
    expect(((await rt.apply(vm("lun", { host: "esx2", disks: lun }))) as VirtualMachineObject).status.migration?.kind).toBe("live");
    const partition = [{ datastore: "local1", sizeGb: 20, backend: "partition", path: "/dev/sda5" }];
    await rt.apply(vm("phy", { host: "esx1", disks: partition }));
    await expect(rt.apply(vm("phy", { host: "esx2", disks: partition }))).rejects.toMatchObject({
      code: "Conflict",
      message: expect.stringContaining("disk 0 on datastore local1 (partition /dev/sda5)"),
    });
  });
});
