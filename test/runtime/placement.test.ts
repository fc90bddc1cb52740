import { beforeEach, describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { HostObject, VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, pool, vm } from "../support/fixtures";

let rt: Runtime;
beforeEach(async () => {
  rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod"));
});

const hostOf = async (name: string) => ((await rt.get("VirtualMachine", name)) as VirtualMachineObject).status.currentHost;

describe("initial placement", () => {
  it("breaks ties by host name and then spreads by load", async () => {
    for (const h of ["esx3", "esx1", "esx2"]) await rt.apply(esxHost(h));
    for (const name of ["a", "b", "c", "d"]) await rt.apply(vm(name));
    expect([await hostOf("a"), await hostOf("b"), await hostOf("c"), await hostOf("d")]).toEqual(["esx1", "esx2", "esx3", "esx1"]);
    const placed = (await rt.events()).filter((e) => e.reason === "Placed").map((e) => e.message);
    expect(placed[0]).toMatch(/placed on esx1: score [\d.]+ \(Balance [\d.]+, DrsBalance [\d.]+\); 3 of 3 hosts feasible/);
  });

  it("prefers the host with the most unreserved memory for a reserved VM", async () => {
    await rt.apply(esxHost("esx1"));
    await rt.apply(esxHost("esx2", "prod", { memoryMb: 131072 }));
    await rt.apply(vm("big", { memory: { reservationMb: 40000 } }));
    expect(await hostOf("big")).toBe("esx2");
  });

  it("skips hosts in maintenance and hosts that cannot run the guest", async () => {
    await rt.apply(esxHost("esx1", "prod", { maintenance: true }));
    await rt.apply(esxHost("esx2", "prod", { cpu: { sockets: 1, coresPerSocket: 4, mhz: 2000, vendor: "intel", features: [] } }));
    await rt.apply(esxHost("esx3"));
    await rt.apply(vm("v64"));
    expect(await hostOf("v64")).toBe("esx3");
    const error = await rt.apply(vm("v64b", { host: "esx2" })).catch((e) => e);
    expect(error.code).toBe("Incompatible");
    expect(error.message).toMatch(/esx2: .*64-bit guests need a 64-bit host CPU \(lm\)/);
  });

  it("honours pinning and keeps a reconfigured VM where it runs", async () => {
    for (const h of ["esx1", "esx2"]) await rt.apply(esxHost(h));
    await rt.apply(vm("p", { host: "esx2" }));
    expect(await hostOf("p")).toBe("esx2");
    await rt.apply(vm("free"));
    const before = await hostOf("free");
    await rt.apply(vm("free", { memoryMb: 8192 }));
    expect(await hostOf("free")).toBe(before);
  });

  it("moves a running VM when its pin changes, by a live migration that takes simulated time", async () => {
    for (const h of ["esx1", "esx2"]) await rt.apply(esxHost(h));
    await rt.apply(vm("p", { host: "esx1" }));
    const moving = (await rt.apply(vm("p", { host: "esx2" }))) as VirtualMachineObject;
    expect(moving.status).toMatchObject({
      currentHost: "esx1",
      migrations: 0,
      migration: { kind: "live", fromHost: "esx1", toHost: "esx2" },
    });
    expect(((await rt.get("Host", "esx2")) as HostObject).status.incomingVms).toEqual(["p"]);
    await rt.advance(moving.status.migration!.completesAtSeconds);
    const moved = (await rt.get("VirtualMachine", "p")) as VirtualMachineObject;
    expect(moved.status.currentHost).toBe("esx2");
    expect(moved.status.migrations).toBe(1);
    expect(moved.status.migration).toBeNull();
    const e = (await rt.events()).at(-1)!;
    expect([e.reason, e.message]).toEqual(["Migrated", expect.stringMatching(/^moved from esx1 to esx2/)]);
    const [h1, h2] = (await rt.list("Host")) as HostObject[];
    expect([h1.status.vms, h2.status.vms]).toEqual([[], ["p"]]);
  });

  it("powering off releases the reservation and powering on places again", async () => {
    await rt.apply(esxHost("esx1"));
    await rt.apply(vm("v", { memory: { reservationMb: 60000 } }));
    await expect(rt.apply(vm("w", { memory: { reservationMb: 60000 } }))).rejects.toMatchObject({ code: "InsufficientCapacity" });
    const off = (await rt.apply(vm("v", { powerState: "off", memory: { reservationMb: 60000 } }))) as VirtualMachineObject;
    expect(off.status).toMatchObject({ powerState: "off", currentHost: null });
    expect(((await rt.get("Host", "esx1")) as HostObject).status.memoryReservedMb).toBe(0);
    expect(((await rt.apply(vm("w", { memory: { reservationMb: 60000 } }))) as VirtualMachineObject).status.currentHost).toBe("esx1");
    const reasons = (await rt.events()).map((e) => e.reason);
    expect(reasons).toContain("PoweredOff");
  });

  it("runs a VM on a standalone host", async () => {
    await rt.apply(esxHost("solo", null));
    const v = (await rt.apply({
      kind: "VirtualMachine",
      name: "s",
      spec: { host: "solo", vcpus: 1, memoryMb: 512, guestOs: "windows", guestArch: "x86" },
    })) as VirtualMachineObject;
    // ESX 3.0 (the default esx release) runs 32-bit guests by binary translation and uses VT-x only for
    // 64-bit ones (Adams & Agesen, ASPLOS 2006, section 2; VMware ESX 3.0 release notes).
    expect(v.status).toMatchObject({ cluster: null, currentHost: "solo", powerState: "on", virtualization: "full", paging: "shadow" });
  });
});

describe("admission over the pool tree", () => {
  beforeEach(async () => {
    for (const h of ["esx1", "esx2"]) await rt.apply(esxHost(h)); // 83200 MHz, 131072 MB
  });

  it("an expandable pool borrows from its parent; a fixed one does not", async () => {
    await rt.apply(pool("fixed", { cpu: { reservationMhz: 2000, expandableReservation: false } }));
    await rt.apply(pool("open", { cpu: { reservationMhz: 2000 } }));
    await rt.apply(vm("a", { pool: "open", cpu: { reservationMhz: 5000 } }));
    const error = await rt.apply(vm("b", { pool: "fixed", cpu: { reservationMhz: 2500 } })).catch((e) => e);
    expect(error.code).toBe("InsufficientCapacity");
    expect(error.message).toContain("pool fixed has 2000 MHz of its own 2000 unreserved (fixed: cannot borrow)");
    const open = (await rt.get("ResourcePool", "open"))!.status as Record<string, number>;
    // used = 5000 > reservation 2000: the pool claims 5000 from the cluster.
    expect(open.cpuReservationUsedMhz).toBe(5000);
    const c = (await rt.get("Cluster", "prod"))!.status as Record<string, number>;
    expect(c.cpuReservationUsedMhz).toBe(2000 + 5000);
    expect(open.cpuUnreservedMhz).toBe(83200 - 7000);
  });

  it("nested pools: reservation used is the sum of max(child reservation, child used)", async () => {
    await rt.apply(pool("parent", { cpu: { reservationMhz: 10000, expandableReservation: false } }));
    await rt.apply(pool("kid1", { parent: "parent", cpu: { reservationMhz: 3000 } }));
    await rt.apply(pool("kid2", { parent: "parent", cpu: { reservationMhz: 1000 } }));
    await rt.apply(vm("v", { pool: "kid2", cpu: { reservationMhz: 2500 } }));
    const parent = (await rt.get("ResourcePool", "parent"))!.status as Record<string, number>;
    expect(parent.cpuReservationUsedMhz).toBe(3000 + 2500);
    expect(parent.cpuUnreservedMhz).toBe(10000 - 5500);
    // kid1 may borrow from its fixed parent, but not beyond the parent's own reservation.
    await expect(rt.apply(vm("w", { pool: "kid1", cpu: { reservationMhz: 7501 } }))).rejects.toMatchObject({
      code: "InsufficientCapacity",
    });
    await rt.apply(vm("w", { pool: "kid1", cpu: { reservationMhz: 7500 } }));
  });

  it("a limit caps what a pool's children may reserve", async () => {
    await rt.apply(pool("capped", { cpu: { limitMhz: 3000 } }));
    await rt.apply(vm("a", { pool: "capped", cpu: { reservationMhz: 2000 } }));
    const error = await rt.apply(vm("b", { pool: "capped", cpu: { reservationMhz: 1500 } })).catch((e) => e);
    expect(error.code).toBe("InsufficientCapacity");
    expect(error.message).toContain("limit 3000 with 2000 used");
  });

  it("memory admission counts the VM's overhead", async () => {
    await rt.apply(pool("m", { memory: { reservationMb: 1000, expandableReservation: false } }));
    const error = await rt.apply(vm("a", { pool: "m", memoryOverheadMb: 50, memory: { reservationMb: 960 } })).catch((e) => e);
    expect(error.message).toContain("memory: needs 1010 MB");
    await rt.apply(vm("a", { pool: "m", memoryOverheadMb: 40, memory: { reservationMb: 960 } }));
  });
});
