/**
 * The provider and the state file between two `pulumi up` runs: a state deleted since is reported,
 * naming the path and the way back (refresh, then up), and a change made outside the stack since
 * it was last read is never overwritten by a stale copy (the provider sends the generation it read).
 */
import { rmSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { VirtualMachineObject } from "../../runtime";
import { PulumiEngine } from "../harness/engine";
import { type ProgramFolder, programFolder, readState } from "./program-loader";

let folder: ProgramFolder;
let engine: PulumiEngine;

const program = (vmArgs: string) =>
  folder.load(
    `import * as pv from "polyvisor";
     export = async () => {
       const c = new pv.Cluster("prod", {});
       const h = new pv.Host("esx1", { cluster: c.name, hypervisor: "esx", memoryMb: 65536,
         cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] } });
       new pv.VirtualMachine("vm1", { cluster: c.name, guestOs: "linux", ${vmArgs} }, { dependsOn: [h] });
     };`,
    `program-${Math.random().toString(36).slice(2)}.js`,
  );

beforeEach(async () => {
  folder = programFolder();
  engine = await PulumiEngine.start({ projectDir: folder.dir, config: { "polyvisor:statePath": folder.statePath } });
  expect((await engine.up(program("vcpus: 2, memoryMb: 2048"))).errors).toEqual([]);
});

afterEach(async () => {
  await engine?.close();
  folder?.remove();
});

describe("the state file between two ups", () => {
  it("deleted: up names the path and says to refresh then up; after that the objects are recreated", async () => {
    for (const file of [folder.statePath, `${folder.statePath}-wal`, `${folder.statePath}-shm`]) rmSync(file, { force: true });
    const result = await engine.up(program("vcpus: 2, memoryMb: 2048"));
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors[0].message).toContain(
      `is not in the Polyvisor state at ${folder.statePath}: the state this stack expected is not there`,
    );
    expect(result.errors[0].message).toContain(
      "Run `pulumi refresh` to drop what is missing from the stack, then `pulumi up` to recreate it.",
    );
    expect((await engine.refresh()).errors).toEqual([]);
    expect((await engine.up(program("vcpus: 2, memoryMb: 2048"))).errors).toEqual([]);
    const names = await readState(folder.statePath, async (rt) =>
      [...(await rt.list("Cluster")), ...(await rt.list("Host")), ...(await rt.list("VirtualMachine"))].map((o) => `${o.kind}/${o.name}`),
    );
    expect(names).toEqual(["Cluster/prod", "Host/esx1", "VirtualMachine/vm1"]);
  });

  it("changed outside the stack: a stale update is refused with Conflict and the other change stays; refresh then up applies on top", async () => {
    await readState(folder.statePath, async (rt) => {
      const vm = (await rt.get("VirtualMachine", "vm1")) as VirtualMachineObject;
      await rt.apply({ kind: "VirtualMachine", name: "vm1", spec: { ...vm.spec, memoryMb: 8192 }, generation: vm.generation });
    });
    const stale = await engine.up(program("vcpus: 4, memoryMb: 2048"));
    expect(stale.errors).toHaveLength(1);
    expect(stale.errors[0].message).toMatch(
      /Conflict: VirtualMachine vm1: field generation: expected generation 1, but the stored object is at generation 2/,
    );
    expect(stale.errors[0].message).toContain("run `pulumi refresh`, then `pulumi up`");
    const kept = await readState(folder.statePath, async (rt) => (await rt.get("VirtualMachine", "vm1")) as VirtualMachineObject);
    expect([kept.spec.vcpus, kept.spec.memoryMb]).toEqual([2, 8192]);
    expect((await engine.refresh()).errors).toEqual([]);
    expect((await engine.up(program("vcpus: 4, memoryMb: 8192"))).errors).toEqual([]);
    const after = await readState(folder.statePath, async (rt) => (await rt.get("VirtualMachine", "vm1")) as VirtualMachineObject);
    expect([after.spec.vcpus, after.spec.memoryMb, after.generation]).toEqual([4, 8192, 3]);
  });
});
