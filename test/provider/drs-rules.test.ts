/**
 * DRS rules and maintenance mode through Pulumi's real dynamic provider host: a Rule resource that
 * separates two VMs, a host put in maintenance by a program edit (its VMs evacuated), and an
 * evacuation that cannot happen failing at the Host resource with every VM and why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostObject, Runtime, VirtualMachineObject } from "../../runtime";
import { PulumiEngine } from "../harness/engine";
import { dumpStateFile } from "../support/state-file";
import { type ProgramFolder, programFolder, readState } from "./program-loader";

let folder: ProgramFolder;
let engine: PulumiEngine;

/**
 * Three hosts, VMs a (pinned to esx1 when `pinA`) and b, an anti-affinity rule; esx1 in maintenance
 * when asked. The VMs depend on every host, so a failed update of esx1 keeps them (and the rule that
 * reads their names) from registering, as the engine does.
 */
const program = (opts: { maintenance?: boolean; pinA?: boolean } = {}) =>
  folder.load(
    `import * as pv from "polyvisor";
     export = async () => {
       const c = new pv.Cluster("prod", { drs: { automationLevel: "fullyAutomated" } });
       const cpu = { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel" as const, features: ["vmx" as const, "ept" as const, "lm" as const] };
       const esx1 = new pv.Host("esx1", { cluster: c.name, hypervisor: "esx", memoryMb: 65536, cpu, maintenance: ${opts.maintenance === true} });
       const esx2 = new pv.Host("esx2", { cluster: c.name, hypervisor: "esx", memoryMb: 65536, cpu });
       const esx3 = new pv.Host("esx3", { cluster: c.name, hypervisor: "esx", memoryMb: 65536, cpu });
       const a = new pv.VirtualMachine("a", { cluster: c.name, ${opts.pinA ? 'host: "esx1",' : ""} vcpus: 2, memoryMb: 4096, guestOs: "linux" }, { dependsOn: [esx1, esx2, esx3] });
       const b = new pv.VirtualMachine("b", { cluster: c.name, vcpus: 2, memoryMb: 4096, guestOs: "linux" }, { dependsOn: [esx1, esx2, esx3] });
       const apart = new pv.Rule("apart", { cluster: c.name, type: "antiAffinity", vms: [a.name, b.name] });
       return { a: a.currentHost, b: b.currentHost, violations: apart.status.apply((s) => s.violations) };
     };`,
    `program-${Math.random().toString(36).slice(2)}.js`,
  );

const inRuntime = <T>(read: (rt: Runtime) => Promise<T>) => readState(folder.statePath, read);

beforeAll(async () => {
  folder = programFolder();
  engine = await PulumiEngine.start({ projectDir: folder.dir, config: { "polyvisor:statePath": folder.statePath } });
});

afterAll(async () => {
  await engine?.close();
  folder?.remove();
});

describe("rules and maintenance through the provider", () => {
  it("creates the rule and keeps the two VMs on different hosts", async () => {
    const result = await engine.up(program());
    expect(result.errors).toEqual([]);
    expect(result.outputs.a).not.toBe(result.outputs.b);
    expect(result.outputs.violations).toEqual([]);
  });

  it("puts a host in maintenance by an edit, evacuating its VMs, without drift on the VMs", async () => {
    const where = await inRuntime(async (rt) =>
      (await rt.list("VirtualMachine")).map((v) => (v as VirtualMachineObject).status.currentHost),
    );
    expect(where).toContain("esx1");
    const result = await engine.up(program({ maintenance: true }));
    expect(result.errors).toEqual([]);
    expect(result.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`)).toEqual(["update esx1"]);
    const esx1 = await inRuntime(async (rt) => (await rt.get("Host", "esx1")) as HostObject);
    expect(esx1.status).toMatchObject({ state: "maintenance", vms: [] });
    const again = await engine.preview(program({ maintenance: true }));
    expect(new Set(again.steps.map((s) => s.op))).toEqual(new Set(["same"]));
  });

  it("fails at the Host with each VM that cannot move, and changes nothing", async () => {
    expect((await engine.up(program())).errors).toEqual([]);
    expect((await engine.up(program({ pinA: true }))).errors).toEqual([]);
    const before = dumpStateFile(folder.statePath);
    const result = await engine.up(program({ maintenance: true, pinA: true }));
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].urn).toMatch(/::esx1$/);
    expect(result.errors[0].message).toContain("Conflict: Host esx1: field maintenance: 1 of 1 running VMs cannot be evacuated");
    expect(result.errors[0].message).toContain("a: pinned to esx1 (spec.host)");
    expect(dumpStateFile(folder.statePath)).toBe(before);
  });
});
