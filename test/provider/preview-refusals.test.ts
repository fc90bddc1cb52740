/**
 * Preview shows refusals: an in-place update the runtime would refuse fails `pulumi preview` (and
 * `up`) at that resource with the runtime's message, judged on a fork; the state file is untouched.
 * Driven through Pulumi's real dynamic provider host.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PulumiEngine } from "../harness/engine";
import { dumpStateFile } from "../support/state-file";
import { type ProgramFolder, programFolder } from "./program-loader";

let folder: ProgramFolder;
let engine: PulumiEngine;

interface Edit {
  poolMb?: number;
  vmMb?: number;
  pinned?: string;
  maintenance?: boolean;
}

const program = ({ poolMb = 8192, vmMb = 4096, pinned, maintenance = false }: Edit = {}) =>
  folder.load(
    `import * as pv from "polyvisor";
     export = async () => {
       const c = new pv.Cluster("prod", {});
       const cpu = { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel" as const, features: ["vmx" as const, "ept" as const, "lm" as const] };
       const h1 = new pv.Host("esx1", { cluster: c.name, hypervisor: "esx", memoryMb: 65536, cpu, maintenance: ${maintenance} });
       const h2 = new pv.Host("esx2", { cluster: c.name, hypervisor: "esx", memoryMb: 65536, cpu }, { dependsOn: [h1] });
       const pool = new pv.ResourcePool("web", { cluster: c.name, memory: { reservationMb: ${poolMb}, expandableReservation: false } }, { dependsOn: [h1, h2] });
       const vm = new pv.VirtualMachine("vm1", { cluster: c.name, pool: pool.name, vcpus: 2, memoryMb: 8192, guestOs: "linux",
         memory: { reservationMb: ${vmMb} }, memoryOverheadMb: 0 ${pinned ? `, host: "${pinned}"` : ""} }, { dependsOn: [h1, h2] });
       return { host: vm.currentHost };
     };`,
    `program-${Math.random().toString(36).slice(2)}.js`,
  );

beforeAll(async () => {
  folder = programFolder();
  engine = await PulumiEngine.start({ projectDir: folder.dir, config: { "polyvisor:statePath": folder.statePath } });
  const ok = await engine.up(program({ pinned: "esx2" }));
  expect(ok.errors).toEqual([]);
});

afterAll(async () => {
  await engine?.close();
  folder?.remove();
});

describe("preview shows the runtime's refusals of updates", () => {
  it("a reservation raised beyond its fixed pool fails preview at the VM with the pool arithmetic; nothing changes", async () => {
    const before = dumpStateFile(folder.statePath);
    const result = await engine.preview(program({ pinned: "esx2", vmMb: 12288 }));
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].urn).toMatch(/::vm1$/);
    expect(result.errors[0].message).toMatch(/InsufficientCapacity: VirtualMachine vm1: field memory.reservationMb/);
    expect(result.errors[0].message).toContain("pool web");
    expect(result.rpcs.map((c) => c.method)).not.toContain("Update");
    expect(dumpStateFile(folder.statePath)).toBe(before);
    // up fails the same way, at the same resource.
    const up = await engine.up(program({ pinned: "esx2", vmMb: 12288 }));
    expect(up.errors.map((e) => e.urn.split("::").pop())).toEqual(["vm1"]);
    expect(dumpStateFile(folder.statePath)).toBe(before);
  });

  it("the same raise with the pool raised first in the same preview is judged against the pool as it is now", async () => {
    // Preview does not apply the pool's change, so the VM is judged against the stored pool.
    const result = await engine.preview(program({ pinned: "esx2", poolMb: 16384, vmMb: 12288 }));
    expect(result.errors.map((e) => e.urn.split("::").pop())).toEqual(["vm1"]);
    // up applies the pool's raise before the VM's diff (the VM depends on the pool): it goes through.
    const up = await engine.up(program({ pinned: "esx2", poolMb: 16384, vmMb: 12288 }));
    expect(up.errors).toEqual([]);
  });

  it("a host entering maintenance whose VM cannot leave (pinned) fails preview at the host", async () => {
    await engine.up(program({ pinned: "esx1", poolMb: 16384, vmMb: 12288 }));
    const before = dumpStateFile(folder.statePath);
    const result = await engine.preview(program({ pinned: "esx1", poolMb: 16384, vmMb: 12288, maintenance: true }));
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].urn).toMatch(/::esx1$/);
    expect(result.errors[0].message).toContain("vm1");
    expect(dumpStateFile(folder.statePath)).toBe(before);
  });

  it("an update the runtime takes previews cleanly", async () => {
    const result = await engine.preview(program({ pinned: "esx1", poolMb: 16384, vmMb: 8192 }));
    expect(result.errors).toEqual([]);
    expect(result.steps.filter((s) => s.op === "update").map((s) => s.urn.split("::").pop())).toEqual(["vm1"]);
  });
});
