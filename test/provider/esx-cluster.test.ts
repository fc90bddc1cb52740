/**
 * The esx-cluster example driven as `pulumi up` drives it: the program runs under Pulumi's mocks and
 * every resource goes through Pulumi's real dynamic provider host over gRPC to the runtime.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VirtualMachineObject } from "../../runtime";
import { type ExampleSession, methods, nameOf, startExample, steps } from "./example-session";
import { exampleSource } from "./program-loader";

let session: ExampleSession;
let engine: ExampleSession["engine"];
let folder: ExampleSession["folder"];
const edited = (from: string, to: string) => session.edited(from, to);
const runtimeView: ExampleSession["runtimeView"] = (read) => session.runtimeView(read);

beforeAll(async () => {
  session = await startExample("esx-cluster");
  ({ engine, folder } = session);
});

afterAll(() => session?.close());

describe("examples/esx-cluster through the provider host", () => {
  it("preview plans the creates without calling Create", async () => {
    const result = await engine.preview(folder.load(exampleSource("esx-cluster")));
    expect(result.errors).toEqual([]);
    expect(methods(result)).toEqual(["Check", "Configure"]);
    expect(engine.state.size).toBe(0);
  });

  it("up creates every resource and places the VM", async () => {
    const result = await engine.up(folder.load(exampleSource("esx-cluster")));
    expect(result.errors).toEqual([]);
    expect(steps(result)).toEqual(["create db1", "create esx1", "create esx2", "create esx3", "create prod", "create web"]);
    expect(["esx1", "esx2", "esx3"]).toContain(result.outputs.dbHost);
    const vm = await runtimeView((rt) => rt.get("VirtualMachine", "db1"));
    expect((vm as VirtualMachineObject).status.currentHost).toBe(result.outputs.dbHost);
    const db1 = [...engine.state.values()].find((r) => r.name === "db1")!;
    expect(db1.outputs).toMatchObject({
      name: "db1",
      pool: "web",
      memoryMb: 16384,
      currentHost: result.outputs.dbHost,
      status: { powerState: "on" },
    });
  });

  it("stores a provider that names the package, not a path, in the state", () => {
    for (const r of engine.state.values()) {
      const text = String(r.inputs.__provider);
      expect(text).toContain('require("polyvisor/provider-impl")');
      expect(text).not.toContain(folder.dir);
      expect(text.length).toBeLessThan(4000);
    }
  });

  it("a second up with no change only checks and diffs", async () => {
    const result = await engine.up(folder.load(exampleSource("esx-cluster")));
    expect(result.errors).toEqual([]);
    expect(methods(result)).toEqual(["Check", "Diff"]);
    expect(new Set(result.steps.map((s) => s.op))).toEqual(new Set(["same"]));
  });

  it("an edit updates in place", async () => {
    // The example's hosts run ESX 3.0, whose guests take at most 16 GB (VI3 Configuration Maximums): shrink instead.
    const result = await engine.up(edited("memoryMb: 16384,", "memoryMb: 12288,"));
    expect(result.errors).toEqual([]);
    expect(steps(result).filter((s) => !s.startsWith("same"))).toEqual(["update db1"]);
    const vm = (await runtimeView((rt) => rt.get("VirtualMachine", "db1"))) as VirtualMachineObject;
    expect([vm.spec.memoryMb, vm.generation]).toEqual([12288, 2]);
  });

  it("an identity change replaces, deleting first since the name is kept", async () => {
    const program = edited('guestOs: "linux",', 'guestOs: "windows",');
    const result = await engine.up(program);
    expect(result.errors).toEqual([]);
    expect(steps(result).filter((s) => !s.startsWith("same"))).toEqual(["replace db1"]);
    const order = result.rpcs.filter((c) => c.method === "Delete" || c.method === "Create").map((c) => c.method);
    expect(order).toEqual(["Delete", "Create"]);
    const vm = (await runtimeView((rt) => rt.get("VirtualMachine", "db1"))) as VirtualMachineObject;
    expect([vm.spec.guestOs, vm.generation]).toEqual(["windows", 1]);
  });

  it("refresh picks up an out-of-band change, and the next up restores the program's spec", async () => {
    await runtimeView(async (rt) => {
      const vm = (await rt.get("VirtualMachine", "db1")) as VirtualMachineObject;
      await rt.apply({ kind: "VirtualMachine", name: "db1", spec: { ...vm.spec, vcpus: 2 } });
    });
    const refreshed = await engine.refresh();
    expect(refreshed.errors).toEqual([]);
    const db1 = [...engine.state.values()].find((r) => r.name === "db1")!;
    expect(db1.outputs.vcpus).toBe(2);
    const result = await engine.up(edited('guestOs: "linux",', 'guestOs: "windows",'));
    expect(steps(result).filter((s) => !s.startsWith("same"))).toEqual(["update db1"]);
    expect(((await runtimeView((rt) => rt.get("VirtualMachine", "db1"))) as VirtualMachineObject).spec.vcpus).toBe(4);
  });

  it("refresh drops a resource deleted out of band", async () => {
    await runtimeView((rt) => rt.delete("VirtualMachine", "db1"));
    const refreshed = await engine.refresh();
    expect(refreshed.steps.filter((s) => s.op === "delete").map((s) => nameOf(s.urn))).toEqual(["db1"]);
    expect([...engine.state.values()].some((r) => r.name === "db1")).toBe(false);
    const result = await engine.up(folder.load(exampleSource("esx-cluster")));
    expect(steps(result).filter((s) => !s.startsWith("same"))).toEqual(["create db1"]);
  });

  it("removing resources from the program deletes them", async () => {
    const source = exampleSource("esx-cluster");
    const start = source.indexOf("  const web = new pv.ResourcePool");
    const end = source.indexOf("  return {");
    const smaller = `${source.slice(0, start)}  return { hosts: hosts.length };\n};\n`;
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    const result = await engine.up(folder.load(smaller, "smaller.js"));
    expect(result.errors).toEqual([]);
    expect(steps(result).filter((s) => !s.startsWith("same"))).toEqual(["delete db1", "delete web"]);
    const deletes = result.rpcs.filter((c) => c.method === "Delete").map((c) => nameOf(c.urn!));
    expect(deletes).toEqual(["db1", "web"]);
    expect(await runtimeView((rt) => rt.list("VirtualMachine"))).toEqual([]);
  });

  it("destroy removes everything from the runtime", async () => {
    const result = await engine.destroy();
    expect(result.errors).toEqual([]);
    expect(engine.state.size).toBe(0);
    const left = await runtimeView(async (rt) => [...(await rt.list("Cluster")), ...(await rt.list("Host"))]);
    expect(left).toEqual([]);
  });
});
