/** settle: the clock moves until an object's pending work has landed, and no further. */
import { describe, expect, it } from "vitest";
import { type VirtualMachineObject, openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";

async function twoHosts() {
  const rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod"));
  for (const h of ["esx1", "esx2"]) await rt.apply(esxHost(h));
  await rt.apply(vm("db1", { host: "esx1" }));
  return rt;
}

describe("settle", () => {
  it("lands a VM's live migration: the clock stops where it completed", async () => {
    const rt = await twoHosts();
    const moving = (await rt.apply(vm("db1", { host: "esx2" }))) as VirtualMachineObject;
    const completes = moving.status.migration!.completesAtSeconds;
    const outcome = await rt.settle("VirtualMachine", "db1");
    expect((outcome.object as VirtualMachineObject).status).toMatchObject({ currentHost: "esx2", migration: null });
    expect(outcome.advancedSeconds).toBeGreaterThanOrEqual(completes);
    expect(outcome.advancedSeconds).toBeLessThan(completes + 0.001);
    expect(outcome.events.map((e) => e.reason)).toContain("Migrated");
    // Nothing pending: settling again moves nothing.
    expect((await rt.settle("VirtualMachine", "db1")).advancedSeconds).toBe(0);
    await rt.close();
  });

  it("waits for a host's evacuation until the host is in maintenance", async () => {
    const rt = await twoHosts();
    await rt.apply(vm("web1", { host: undefined }));
    await rt.apply(esxHost("esx2", "prod", { maintenance: true }));
    const outcome = await rt.settle("Host", "esx2");
    expect((outcome.object!.status as { state: string }).state).toBe("maintenance");
    expect(((await rt.get("VirtualMachine", "web1")) as VirtualMachineObject).status.currentHost).toBe("esx1");
    await rt.close();
  });

  it("returns an object with nothing pending, or a missing one, at once", async () => {
    const rt = await twoHosts();
    expect((await rt.settle("Cluster", "prod")).advancedSeconds).toBe(0);
    expect((await rt.settle("VirtualMachine", "nope")).object).toBeUndefined();
    await rt.close();
  });
});
