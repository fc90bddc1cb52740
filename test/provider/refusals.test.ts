/** Bad inputs stop `pulumi up` with clear messages at the resource, and leave the runtime unchanged. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PulumiEngine } from "../harness/engine";
import { dumpStateFile } from "../support/state-file";
import { type ProgramFolder, programFolder } from "./program-loader";

let folder: ProgramFolder;
let engine: PulumiEngine;

const program = (vmArgs: string, extra = "") =>
  folder.load(
    `import * as pv from "polyvisor";
     export = async () => {
       const c = new pv.Cluster("prod", {});
       const h = new pv.Host("esx1", { cluster: c.name, hypervisor: "esx", memoryMb: 65536,
         cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] } });
       ${extra}
       const vm = new pv.VirtualMachine("vm1", { cluster: c.name, guestOs: "linux", ${vmArgs} } as any, { dependsOn: [h] });
       return { host: vm.currentHost };
     };`,
    `program-${Math.random().toString(36).slice(2)}.js`,
  );

beforeAll(async () => {
  folder = programFolder();
  engine = await PulumiEngine.start({ projectDir: folder.dir, config: { "polyvisor:statePath": folder.statePath } });
  const ok = await engine.up(program("vcpus: 2, memoryMb: 4096"));
  expect(ok.errors).toEqual([]);
});

afterAll(async () => {
  await engine?.close();
  folder?.remove();
});

describe("refusals through the provider", () => {
  it("check failures name the property and the reason", async () => {
    const before = dumpStateFile(folder.statePath);
    const result = await engine.up(program("vcpus: 2, memoryMb: -1, colour: 'red'"));
    const failures = result.errors.flatMap((e) => e.failures ?? []);
    expect(failures).toEqual(
      expect.arrayContaining([
        { property: "memoryMb", reason: expect.stringContaining(">=4") },
        { property: "colour", reason: expect.stringContaining("Unrecognized key") },
      ]),
    );
    expect(dumpStateFile(folder.statePath)).toBe(before);
  });

  it("a bad name is a check failure", async () => {
    const result = await engine.up(program('vcpus: 2, memoryMb: 4096, name: "my vm"'));
    expect(result.errors.flatMap((e) => e.failures ?? [])).toEqual([
      { property: "name", reason: expect.stringContaining("letters, digits") },
    ]);
  });

  it("a power-on that does not fit fails at that resource with the arithmetic, and changes nothing", async () => {
    const before = dumpStateFile(folder.statePath);
    const result = await engine.up(program("vcpus: 2, memoryMb: 4096, memory: { reservationMb: 90000 }"));
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].urn).toMatch(/::vm1$/);
    expect(result.errors[0].message).toContain("InsufficientCapacity: VirtualMachine vm1");
    expect(result.errors[0].message).toMatch(/cluster prod has \d+ MB unreserved \(capacity 65536, reserved \d+\)/);
    expect(dumpStateFile(folder.statePath)).toBe(before);
    const vm1 = [...engine.state.values()].find((r) => r.name === "vm1")!;
    expect(vm1.outputs.memoryMb).toBe(4096);
  });

  it("a duplicate name across two resources is a conflict", async () => {
    const result = await engine.up(
      program(
        "vcpus: 2, memoryMb: 4096",
        `new pv.VirtualMachine("twin", { name: "vm1", cluster: c.name, guestOs: "linux", vcpus: 1, memoryMb: 512 }, { dependsOn: [h] });`,
      ),
    );
    expect(result.errors.map((e) => e.message)).toEqual([
      expect.stringContaining("Conflict: VirtualMachine vm1: field name: a VirtualMachine named vm1 already exists"),
    ]);
  });

  it("a polyvisor:url where no server answers fails clearly, naming the URL", async () => {
    const remote = await PulumiEngine.start({ projectDir: folder.dir, config: { "polyvisor:url": "http://127.0.0.1:9" } });
    try {
      const result = await remote.up(program("vcpus: 2, memoryMb: 4096"));
      expect(result.errors[0].message).toContain("http://127.0.0.1:9: unreachable");
      expect(result.errors[0].message).toContain("polyvisor serve");
    } finally {
      await remote.close();
    }
  });
});
