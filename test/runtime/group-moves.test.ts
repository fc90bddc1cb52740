/**
 * Group moves: VMs a mandatory affinity rule keeps together move as one. vSphere: a mandatory ("must")
 * VM-VM affinity rule is kept by every migration (vSphere Resource Management, "VM-VM Affinity Rules"),
 * so moving one member by hand moves the group, or is refused naming it.
 */
import { describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";

async function groupOnEsx1(): Promise<Runtime> {
  const rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", { drs: { automationLevel: "manual" } }));
  for (const h of ["esx1", "esx2", "esx3"]) await rt.apply(esxHost(h));
  for (const v of ["app", "db", "cache", "other"]) await rt.apply(vm(v, { host: "esx1", memoryMb: 2048 }));
  for (const v of ["db", "cache", "other"]) await rt.apply(vm(v, { memoryMb: 2048 }));
  await rt.apply({ kind: "Rule", name: "tier", spec: { cluster: "prod", type: "affinity", vms: ["app", "db"], mandatory: true } });
  await rt.apply({ kind: "Rule", name: "tier2", spec: { cluster: "prod", type: "affinity", vms: ["db", "cache"], mandatory: true } });
  return rt;
}

const migrations = async (rt: Runtime) =>
  Object.fromEntries(
    ((await rt.list("VirtualMachine")) as VirtualMachineObject[]).flatMap((v) =>
      v.status.migration ? [[v.name, v.status.migration.toHost]] : [],
    ),
  );

describe("mandatory affinity groups move as one", () => {
  it("moving one member by its pin moves the whole group (transitively), each by live migration", async () => {
    const rt = await groupOnEsx1();
    await rt.apply(vm("app", { host: "esx2", memoryMb: 2048 }));
    expect(await migrations(rt)).toEqual({ app: "esx2", cache: "esx2", db: "esx2" });
    const started = (await rt.events()).filter((e) => e.reason === "MigrationStarted").map((e) => e.name);
    expect(started).toEqual(["app", "cache", "db"]);
    await rt.advance(120);
    const hosts = Object.fromEntries(
      ((await rt.list("VirtualMachine")) as VirtualMachineObject[]).map((v) => [v.name, v.status.currentHost]),
    );
    expect(hosts).toEqual({ app: "esx2", cache: "esx2", db: "esx2", other: "esx1" });
    const rules = await rt.list("Rule");
    expect(rules.map((r) => (r.status as { violations: string[] }).violations)).toEqual([[], []]);
    await rt.close();
  });

  it("is refused, naming the group and the member, when one member cannot go; nothing moves", async () => {
    const rt = await groupOnEsx1();
    await rt.apply(vm("cache", { host: "esx1", memoryMb: 2048 }));
    const before = await rt.list("VirtualMachine");
    const refused = rt.apply(vm("app", { host: "esx2", memoryMb: 2048 }));
    await expect(refused).rejects.toMatchObject({ code: "Conflict", field: "host" });
    await expect(refused).rejects.toThrow(/with its mandatory affinity group \(app, cache, db\): cache is pinned to esx1/);
    expect(await rt.list("VirtualMachine")).toEqual(before);
    await rt.close();
  });

  it("is refused when the target cannot hold the whole group", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(cluster("prod", { drs: { automationLevel: "manual" } }));
    await rt.apply(esxHost("esx1"));
    await rt.apply(esxHost("small", "prod", { memoryMb: 8192 }));
    for (const v of ["a", "b"]) await rt.apply(vm(v, { host: "esx1", memoryMb: 4096, memory: { reservationMb: 5000 } }));
    await rt.apply(vm("b", { memoryMb: 4096, memory: { reservationMb: 5000 } }));
    await rt.apply({ kind: "Rule", name: "pair", spec: { cluster: "prod", type: "affinity", vms: ["a", "b"], mandatory: true } });
    const before = await rt.list("VirtualMachine");
    await expect(rt.apply(vm("a", { host: "small", memoryMb: 4096, memory: { reservationMb: 5000 } }))).rejects.toThrow(
      /cannot live-migrate b from esx1 to small with its mandatory affinity group \(a, b\)/,
    );
    expect(await rt.list("VirtualMachine")).toEqual(before);
    await rt.close();
  });
});
