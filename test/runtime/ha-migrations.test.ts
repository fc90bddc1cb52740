/**
 * Host failures during migrations: a migration from or to a host that crashes or loses its network is
 * abandoned at once (its memory or disks can no longer cross the network), the target gives back what
 * it held, and HA restarts the VM if it went down with its source.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { type HostObject, type Runtime, type VirtualMachineObject, openRuntime } from "../../runtime";
import { cluster, datastore, esxHost, vm } from "../support/fixtures";
import { haMismatches } from "../support/ha-oracle";
import { accountingMismatches, asInventory } from "../support/oracle";

let rt: Runtime;

const vmStatus = async (name: string) => ((await rt.get("VirtualMachine", name)) as VirtualMachineObject).status;
const hostStatus = async (name: string) => ((await rt.get("Host", name)) as HostObject).status;
const reasons = async (name: string) => (await rt.events()).filter((e) => e.name === name).map((e) => e.reason);

async function consistent(): Promise<void> {
  const inv = asInventory({
    Cluster: await rt.list("Cluster"),
    Host: await rt.list("Host"),
    ResourcePool: [],
    VirtualMachine: await rt.list("VirtualMachine"),
  });
  expect(accountingMismatches(inv)).toEqual([]);
  expect(haMismatches(inv)).toEqual([]);
}

const spec = { memory: { reservationMb: 1024 }, cpu: { reservationMhz: 1000 }, disks: [{ datastore: "san", sizeGb: 10 }] };

beforeEach(async () => {
  rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl: { policy: "disabled" } }, migration: { bandwidthMbps: 1000 } }));
  await rt.apply(datastore("san", "nfs"));
  await rt.apply(datastore("local2", "local"));
  for (const h of ["esx1", "esx2", "esx3"]) await rt.apply(esxHost(h, "prod", { datastores: h === "esx2" ? ["san", "local2"] : ["san"] }));
  await rt.apply(vm("v", { ...spec, host: "esx1" }));
  // Pinning it to esx2 starts a live migration: an idle 4 GB VM, 4096 MB x 8 / 1000 Mbit/s = about 33 s.
  await rt.apply(vm("v", { ...spec, host: "esx2" }));
  expect((await vmStatus("v")).migration).toMatchObject({ kind: "live", fromHost: "esx1", toHost: "esx2" });
  expect((await hostStatus("esx2")).memoryReservedMb).toBe(1024);
});

describe("a host failing during a live migration", () => {
  it("abandons the migration when its target crashes: the VM keeps running on its source", async () => {
    await rt.advance(10);
    await rt.failHost("esx2");
    const status = await vmStatus("v");
    expect(status).toMatchObject({ powerState: "on", currentHost: "esx1", migration: null, migrations: 0, haRestart: null });
    expect(await hostStatus("esx2")).toMatchObject({ state: "failed", cpuReservedMhz: 0, memoryReservedMb: 0, incomingVms: [] });
    const aborted = (await rt.events()).find((e) => e.reason === "MigrationAborted")!;
    expect(aborted.message).toBe("live migration esx1 -> esx2 abandoned: host esx2 crashed");
    // The completion timer no longer fires, and HA has nothing to restart.
    await rt.advance(600);
    expect(await vmStatus("v")).toMatchObject({ currentHost: "esx1", migrations: 0, lastMigration: null });
    expect(await reasons("v")).not.toContain("Migrated");
    expect(await reasons("v")).not.toContain("HaRestarted");
    await consistent();
  });

  it("abandons the migration when its source crashes: the VM goes down with it and HA restarts it", async () => {
    await rt.failHost("esx1");
    expect(await vmStatus("v")).toMatchObject({
      powerState: "off",
      currentHost: null,
      migration: null,
      haRestart: { state: "awaitingRestart", fromHost: "esx1" },
    });
    expect(await hostStatus("esx2")).toMatchObject({ cpuReservedMhz: 0, memoryReservedMb: 0, incomingVms: [] });
    await consistent();
    await rt.advance(15);
    // Its pin is a must-run rule: HA restarts it on esx2, holding its reservations there once.
    const restarted = await vmStatus("v");
    expect(restarted).toMatchObject({ powerState: "on", currentHost: "esx2", migration: null, haRestart: { state: "restarting" } });
    expect((await hostStatus("esx2")).memoryReservedMb).toBe(1024 + restarted.overheadMemoryMb);
    expect(await reasons("v")).toEqual(expect.arrayContaining(["MigrationAborted", "Crashed", "HaRestarted"]));
    await rt.advance(600);
    expect(await vmStatus("v")).toMatchObject({ currentHost: "esx2", migrations: 0, haRestart: null });
    await consistent();
  });

  it("abandons the migration when its target loses its network", async () => {
    await rt.failHost("esx2", { mode: "isolation" });
    expect(await vmStatus("v")).toMatchObject({ powerState: "on", currentHost: "esx1", migration: null });
    expect((await rt.events()).find((e) => e.reason === "MigrationAborted")!.message).toContain("host esx2 lost its network");
    await consistent();
  });
});

describe("a host failing during a cold migration", () => {
  it("abandons the disk copy when its target crashes; the VM stays off", async () => {
    // Moving off esx2's local datastore to the shared one copies 100 GB: 819.2 s at 1 Gbit/s.
    await rt.apply(vm("w", { host: "esx2", powerState: "off", disks: [{ datastore: "local2", sizeGb: 100 }] }));
    await rt.apply(vm("w", { host: "esx3", powerState: "off", disks: [{ datastore: "san", sizeGb: 100 }] }));
    expect((await vmStatus("w")).migration).toMatchObject({ kind: "cold", fromHost: "esx2", toHost: "esx3", completesAtSeconds: 819.2 });
    await rt.failHost("esx3");
    expect(await vmStatus("w")).toMatchObject({ powerState: "off", migration: null, haRestart: null });
    expect((await rt.events()).filter((e) => e.name === "w" && e.reason === "MigrationAborted").map((e) => e.message)).toEqual([
      "cold migration esx2 -> esx3 abandoned: host esx3 crashed",
    ]);
    await consistent();
  });
});
