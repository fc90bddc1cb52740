import { describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import type { HostObject, VirtualMachineObject } from "../../runtime";
import { execute } from "../../runtime/core/commands";
import { World } from "../../runtime/core/model";
import { Txn } from "../../runtime/core/txn";
import { migrateVm } from "../../runtime/core/vm-moves";
import { cluster, esxHost, vm } from "../support/fixtures";
import { accountingMismatches, asInventory } from "../support/oracle";

describe("migrateVm", () => {
  it("moves the footprint, counts the migration and records the event", () => {
    const world = new World({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 });
    for (const obj of [cluster(), esxHost("esx1"), esxHost("esx2"), vm("v", { host: undefined, memory: { reservationMb: 1000 } })]) {
      world.applyChanges(execute(world, { type: "apply", ...obj, mode: "upsert" }).changes);
    }
    const txn = new Txn(world);
    const from = txn.get<VirtualMachineObject>("VirtualMachine", "v")!.status.currentHost;
    const to = from === "esx1" ? "esx2" : "esx1";
    migrateVm(txn, "v", to, { reason: "DrsMigrated", message: "test move" });
    world.applyChanges(txn.changes());

    const moved = world.get("VirtualMachine", "v") as VirtualMachineObject;
    expect(moved.status).toMatchObject({ currentHost: to, migrations: 1, lastMigration: { fromHost: from, toHost: to } });
    expect((world.get("Host", to) as HostObject).status.memoryReservedMb).toBe(1000);
    expect((world.get("Host", from!) as HostObject).status.memoryReservedMb).toBe(0);
    expect([...world.related("vmsOnHost", to)]).toEqual(["v"]);
    expect(txn.events.map((e) => [e.reason, e.message])).toEqual([["DrsMigrated", "test move"]]);
  });

  it("keeps accounting consistent through the runtime", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    for (const obj of [cluster(), esxHost("esx1"), esxHost("esx2"), vm("v", { host: "esx1", memory: { reservationMb: 1000 } })]) await rt.apply(obj);
    await rt.apply(vm("v", { host: "esx2", memory: { reservationMb: 1000 } }));
    const inv = asInventory({ Cluster: await rt.list("Cluster"), Host: await rt.list("Host"), ResourcePool: [], VirtualMachine: await rt.list("VirtualMachine") });
    expect(accountingMismatches(inv)).toEqual([]);
    expect((await rt.get("VirtualMachine", "v"))!.status).toMatchObject({ lastMigration: { fromHost: "esx1", toHost: "esx2" } });
    await rt.close();
  });
});
