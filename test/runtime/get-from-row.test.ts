/**
 * A runtime that has not loaded the world answers `get` of a VM from that VM's row alone (a fresh
 * CLI process need not load 10,000 objects to show one): the same object the world shows, as fresh
 * as any read, with the same refusals when the state row is gone.
 */
import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Runtime, isStateUnusableError, openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { tempDir } from "../support/state-file";

let tmp: ReturnType<typeof tempDir>;
let path: string;
const opened: Runtime[] = [];
const open = async () => {
  const rt = await openRuntime({ path });
  opened.push(rt);
  return rt;
};
const VMS = ["db1", "db2", "off1", "web1"];

beforeEach(async () => {
  tmp = tempDir();
  path = join(tmp.dir, "state.db");
  const setup = await open();
  for (const obj of [cluster("prod", { drs: { enabled: true, automationLevel: "fullyAutomated" } }), esxHost("esx1"), esxHost("esx2")])
    await setup.apply(obj);
  await setup.apply(vm("db1", { memory: { reservationMb: 1000 }, workload: { cpuDemandMhz: 800 } }));
  await setup.apply(vm("db2", { cpu: { reservationMhz: 500 } }));
  await setup.apply(vm("web1", { workload: { cpuDemandMhz: 1200 } }));
  await setup.apply(vm("off1", { powerState: "off" }));
  await setup.advance(600);
});

afterEach(async () => {
  for (const rt of opened.splice(0)) await rt.close();
  tmp.cleanup();
});

describe("get of a VM before the world is loaded", () => {
  it("shows each VM exactly as the loaded world does", async () => {
    const fromRows = await open();
    const rowViews = [];
    for (const name of VMS) rowViews.push(await fromRows.get("VirtualMachine", name));
    const fromWorld = await open();
    const listed = await fromWorld.list("VirtualMachine");
    expect(rowViews).toEqual(listed);
    for (const name of VMS) expect(await fromWorld.get("VirtualMachine", name)).toEqual(listed.find((v) => v.name === name));
    expect(rowViews.every((v) => Object.isFrozen(v) && Object.isFrozen(v!.status))).toBe(true);
  });

  it("is as fresh as any read: another runtime's write shows before and after this one loads the world", async () => {
    const reader = await open();
    const writer = await open();
    expect((await reader.get("VirtualMachine", "db2"))?.spec).toMatchObject({ vcpus: 2 });
    await writer.apply(vm("db2", { cpu: { reservationMhz: 500 }, vcpus: 3 }));
    expect((await reader.get("VirtualMachine", "db2"))?.spec).toMatchObject({ vcpus: 3 });
    await reader.list("Host");
    await writer.apply(vm("db2", { cpu: { reservationMhz: 500 }, vcpus: 4 }));
    expect((await reader.get("VirtualMachine", "db2"))?.spec).toMatchObject({ vcpus: 4 });
  });

  it("answers undefined for a VM that does not exist", async () => {
    expect(await (await open()).get("VirtualMachine", "nope")).toBeUndefined();
  });

  it("reads only that VM's row: a damaged other row is named by the reads that need the world", async () => {
    const db = new Database(path);
    db.exec("UPDATE objects SET status = '{' WHERE kind = 'VirtualMachine' AND name = 'db1'");
    db.close();
    const rt = await open();
    expect((await rt.get("VirtualMachine", "db2"))?.name).toBe("db2");
    const damaged = await rt.get("VirtualMachine", "db1").then(
      () => undefined,
      (e: Error) => e,
    );
    expect(isStateUnusableError(damaged), String(damaged)).toBe(true);
    expect(damaged!.message).toMatch(/the VirtualMachine db1 \(table objects\), column status holds damaged JSON/);
    const listing = await rt.list("VirtualMachine").then(
      () => undefined,
      (e: Error) => e,
    );
    expect(listing?.message).toMatch(/the VirtualMachine db1 \(table objects\), column status holds damaged JSON/);
  });

  it("refuses as a load does when the state row is gone", async () => {
    const db = new Database(path);
    db.exec("DELETE FROM state");
    db.close();
    const e = await (await open()).get("VirtualMachine", "db1").then(
      () => undefined,
      (err: Error) => err,
    );
    expect(isStateUnusableError(e), String(e)).toBe(true);
    expect(e!.message).toMatch(/the state row \(table state, id 1\) is missing/);
  });
});
