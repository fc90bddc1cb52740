import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from "vitest";
import { PulumiEngine, type EngineOptions, type RunResult } from "./engine";
import { makeProjectDir, removeProjectDir } from "./project";

// Loaded by Node itself: code transformed by vitest cannot be serialized into `__provider`.
const { NoopResource, UndiffedNoopResource } = require("./fixtures/noop-resource.js") as typeof import("./fixtures/noop-resource");

const DYNAMIC_TYPE = "pulumi-nodejs:dynamic:Resource";

let projectDir: string;
let engineCount = 0;

beforeAll(() => {
  projectDir = makeProjectDir({ "noop-provider": path.join(__dirname, "fixtures", "noop-provider") });
});

afterAll(() => removeProjectDir(projectDir));

/** An engine for this test only, whose provider keeps its records in `dataPath`. */
async function startEngine(options: Partial<EngineOptions> = {}) {
  const dataPath = path.join(projectDir, `records-${++engineCount}.json`);
  const engine = await PulumiEngine.start({
    projectDir,
    ...options,
    config: { "noop:dataPath": dataPath, ...options.config },
  });
  onTestFinished(() => engine.close());
  return { engine, dataPath };
}

function urn(name: string, stack = "stack", project = "project"): string {
  return `urn:pulumi:${stack}::${project}::${DYNAMIC_TYPE}::${name}`;
}

const nameOf = (resourceUrn = ""): string => resourceUrn.split("::").pop() ?? "";

/** Steps as sorted "op name" strings: independent resources complete in any order. */
function steps(result: RunResult): string[] {
  return result.steps.map((step) => `${step.op} ${nameOf(step.urn)}`).sort();
}

/** RPCs as "Method name" strings, in the order they were sent. */
function rpcs(result: RunResult): string[] {
  return result.rpcs.map((rpc) => (rpc.urn ? `${rpc.method} ${nameOf(rpc.urn)}` : rpc.method));
}

function readRecords(dataPath: string): Record<string, Record<string, unknown>> {
  return JSON.parse(fs.readFileSync(dataPath, "utf8"));
}

function writeRecords(dataPath: string, records: Record<string, unknown>): void {
  fs.writeFileSync(dataPath, JSON.stringify(records));
}

const twoResources = () => {
  const a = new NoopResource("a", { name: "a", size: 1 });
  const b = new NoopResource("b", { name: "b", size: a.size });
  return { aTouched: a.touched, bId: b.id, bSize: b.size };
};

describe("PulumiEngine with the noop provider", () => {
  test("the first up checks and creates every resource and resolves the exports", async () => {
    const { engine, dataPath } = await startEngine();

    const result = await engine.up(twoResources);

    expect(result.errors).toEqual([]);
    expect(result.outputs).toEqual({ aTouched: 1, bId: "b", bSize: 1 });
    expect(steps(result)).toEqual(["create a", "create b"]);
    expect(rpcs(result)).toEqual(["Configure", "Check a", "Create a", "Check b", "Create b"]);
    expect(readRecords(dataPath)).toEqual({
      a: { name: "a", size: 1, touched: 1 },
      b: { name: "b", size: 1, touched: 1 },
    });
    expect(engine.state.get(urn("a"))).toMatchObject({
      type: DYNAMIC_TYPE,
      name: "a",
      id: "a",
      inputs: { name: "a", size: 1 },
      outputs: { name: "a", size: 1, touched: 1 },
    });
  });

  test("an unchanged program only checks and diffs", async () => {
    const { engine } = await startEngine();
    await engine.up(twoResources);

    const result = await engine.up(twoResources);

    expect(result.errors).toEqual([]);
    expect(result.outputs).toEqual({ aTouched: 1, bId: "b", bSize: 1 });
    expect(steps(result)).toEqual(["same a", "same b"]);
    expect(rpcs(result).sort()).toEqual(["Check a", "Check b", "Diff a", "Diff b"]);
  });

  test("a changed input updates the resource in place", async () => {
    const { engine, dataPath } = await startEngine();
    await engine.up(() => void new NoopResource("a", { name: "a", size: 1 }));

    const result = await engine.up(() => {
      const a = new NoopResource("a", { name: "a", size: 2 });
      return { touched: a.touched, size: a.size };
    });

    expect(result.outputs).toEqual({ touched: 2, size: 2 });
    expect(steps(result)).toEqual(["update a"]);
    expect(rpcs(result)).toEqual(["Check a", "Diff a", "Update a"]);
    expect(engine.state.get(urn("a"))).toMatchObject({ id: "a", inputs: { size: 2 }, outputs: { touched: 2 } });
    expect(readRecords(dataPath).a).toEqual({ name: "a", size: 2, touched: 2 });
  });

  test("without a provider diff, the engine compares inputs itself", async () => {
    const { engine } = await startEngine();
    await engine.up(() => void new UndiffedNoopResource("a", { name: "a", size: 1 }));

    const unchanged = await engine.up(() => void new UndiffedNoopResource("a", { name: "a", size: 1 }));
    const changed = await engine.up(() => void new UndiffedNoopResource("a", { name: "a", size: 2 }));

    expect(steps(unchanged)).toEqual(["same a"]);
    expect(rpcs(unchanged)).toEqual(["Check a", "Diff a"]);
    expect(steps(changed)).toEqual(["update a"]);
    expect(rpcs(changed)).toEqual(["Check a", "Diff a", "Update a"]);
  });

  test("a replacing change creates the replacement before deleting the old resource", async () => {
    const { engine, dataPath } = await startEngine();
    await engine.up(() => void new NoopResource("a", { name: "a", kind: "x" }));

    const result = await engine.up(() => ({ id: new NoopResource("a", { name: "a", kind: "y" }).id }));

    expect(result.outputs).toEqual({ id: "a-2" });
    expect(steps(result)).toEqual(["replace a"]);
    expect(rpcs(result)).toEqual(["Check a", "Diff a", "Create a", "Delete a"]);
    expect(engine.state.get(urn("a"))).toMatchObject({ id: "a-2", outputs: { kind: "y" } });
    expect(readRecords(dataPath)).toEqual({ "a-2": { name: "a", kind: "y", touched: 1 } });
  });

  test.each([
    { asker: "the provider's diff", change: { slot: 2 }, opts: {} },
    { asker: "the resource option", change: { kind: "y" }, opts: { deleteBeforeReplace: true } },
  ])("a replacement deletes first when $asker asks", async ({ change, opts }) => {
    const { engine, dataPath } = await startEngine();
    await engine.up(() => void new NoopResource("a", { name: "a", slot: 1, kind: "x" }));

    const result = await engine.up(() => void new NoopResource("a", { name: "a", slot: 1, kind: "x", ...change }, opts));

    expect(steps(result)).toEqual(["replace a"]);
    expect(rpcs(result)).toEqual(["Check a", "Diff a", "Delete a", "Create a"]);
    expect(engine.state.get(urn("a"))?.id).toBe("a");
    expect(readRecords(dataPath)).toEqual({ a: { name: "a", slot: 1, kind: "x", ...change, touched: 1 } });
  });

  test("a resource dropped from the program is deleted", async () => {
    const { engine, dataPath } = await startEngine();
    await engine.up(twoResources);

    const result = await engine.up(() => void new NoopResource("a", { name: "a", size: 1 }));

    expect(steps(result)).toEqual(["delete b", "same a"]);
    expect(rpcs(result)).toEqual(["Check a", "Diff a", "Delete b"]);
    expect([...engine.state.keys()]).toEqual([urn("a")]);
    expect(Object.keys(readRecords(dataPath))).toEqual(["a"]);
  });

  test("a preview checks and diffs but creates, updates and deletes nothing", async () => {
    const { engine, dataPath } = await startEngine();
    await engine.up(twoResources);
    const stateBefore = structuredClone([...engine.state.values()]);
    const recordsBefore = readRecords(dataPath);

    const result = await engine.preview(() => {
      const a = new NoopResource("a", { name: "a", size: 2 });
      const c = new NoopResource("c", { name: "c", size: 3 });
      return { aSize: a.size, cSize: c.size, cTouched: c.touched, cId: c.id };
    });

    expect(result.errors).toEqual([]);
    expect(steps(result)).toEqual(["create c", "delete b", "update a"]);
    expect(rpcs(result).sort()).toEqual(["Check a", "Check c", "Diff a"]);
    expect(result.outputs).toEqual({ aSize: 2, cSize: 3, cTouched: undefined, cId: undefined });
    expect([...engine.state.values()]).toEqual(stateBefore);
    expect(readRecords(dataPath)).toEqual(recordsBefore);
  });

  test("refresh reads outputs back and forgets resources that vanished", async () => {
    const { engine, dataPath } = await startEngine();
    await engine.up(twoResources);
    const records = readRecords(dataPath);
    writeRecords(dataPath, { a: { ...records.a, size: 5 } });

    const refreshed = await engine.refresh();

    expect(steps(refreshed)).toEqual(["delete b", "read a"]);
    expect(rpcs(refreshed).sort()).toEqual(["Read a", "Read b"]);
    expect(engine.state.get(urn("a"))?.outputs).toMatchObject({ size: 5 });
    expect(engine.state.has(urn("b"))).toBe(false);

    const reconciled = await engine.up(twoResources);
    expect(steps(reconciled)).toEqual(["create b", "update a"]);
  });

  test("destroy deletes every resource, dependents first", async () => {
    const { engine, dataPath } = await startEngine();
    await engine.up(twoResources);

    const result = await engine.destroy();

    expect(result.errors).toEqual([]);
    expect(rpcs(result)).toEqual(["Delete b", "Delete a"]);
    expect(engine.state.size).toBe(0);
    expect(readRecords(dataPath)).toEqual({});
  });

  test("a check failure is reported with its property and reason, and nothing is created", async () => {
    const { engine } = await startEngine();

    const result = await engine.up(() => {
      const a = new NoopResource("a", { name: "a", size: -1 });
      return { bId: new NoopResource("b", { name: "b", size: a.size }).id };
    });

    expect(result.errors).toEqual([
      {
        urn: urn("a"),
        message: "check failed: size: size must be a non-negative number",
        failures: [{ property: "size", reason: "size must be a non-negative number" }],
      },
    ]);
    expect(rpcs(result)).toEqual(["Configure", "Check a"]);
    expect(result.steps).toEqual([]);
    expect(engine.state.size).toBe(0);
  });

  test("a failed create fails its dependents; a resource that failed to initialize stays in state", async () => {
    const { engine } = await startEngine();

    const result = await engine.up(() => {
      const a = new NoopResource("a", { name: "a", createFails: true });
      new NoopResource("b", { name: "b", size: a.touched });
      new NoopResource("c", { name: "c", initFails: true });
    });

    expect(result.errors.map((error) => [nameOf(error.urn), error.message]).sort()).toEqual([
      ["a", "create of a refused"],
      ["c", "resource c failed to initialize"],
    ]);
    expect(rpcs(result).sort()).toEqual(["Check a", "Check c", "Configure", "Create a", "Create c"]);
    expect([...engine.state.keys()]).toEqual([urn("c")]);
    expect(engine.state.get(urn("c"))).toMatchObject({ id: "c", outputs: { initFails: true, touched: 1 } });
  });

  test("a failed update fails its dependents (explicit or through inputs) and the run ends", async () => {
    const { engine } = await startEngine();
    const program = (updateFails: boolean) => () => {
      const a = new NoopResource("a", { name: "a", size: 1, updateFails });
      new NoopResource("b", { name: "b", size: a.touched });
      new NoopResource("c", { name: "c", size: 3 }, { dependsOn: [a] });
    };
    expect((await engine.up(program(false))).errors).toEqual([]);

    const result = await engine.up(program(true));

    expect(result.errors.map((error) => [nameOf(error.urn), error.message])).toEqual([["a", "update of a refused"]]);
    expect(rpcs(result).filter((call) => !call.startsWith("Check") && !call.startsWith("Diff"))).toEqual(["Update a"]);
    expect(engine.state.get(urn("a"))?.outputs.updateFails).toBe(false);
  });

  test("a run ends when a resource reads the outputs of one that a failed update kept from registering", async () => {
    const { engine } = await startEngine();
    // c depends on a, whose update fails, so c never registers; d reads c's outputs, so d waits for
    // them forever (the real language host exits at the failure instead of waiting).
    const program = (updateFails: boolean) => async () => {
      const a = new NoopResource("a", { name: "a", size: 1, updateFails });
      const c = new NoopResource("c", { name: "c", size: 3 }, { dependsOn: [a] });
      const d = new NoopResource("d", { name: "d", size: c.touched });
      return { d: d.touched };
    };
    expect((await engine.up(program(false))).errors).toEqual([]);

    const result = await engine.up(program(true));

    expect(result.errors.map((error) => [nameOf(error.urn), error.message])).toEqual([["a", "update of a refused"]]);
    expect(rpcs(result).filter((call) => !call.startsWith("Check") && !call.startsWith("Diff"))).toEqual(["Update a"]);
    expect(result.outputs).toEqual({});
    // The next run is not held up by the registrations left waiting.
    expect((await engine.up(program(false))).errors).toEqual([]);
  });

  test("a run with errors deletes nothing it did not register", async () => {
    const { engine } = await startEngine();
    await engine.up(twoResources);

    const result = await engine.up(() => void new NoopResource("a", { name: "a", size: -1 }));

    expect(result.errors).toHaveLength(1);
    expect(rpcs(result)).toEqual(["Check a"]);
    expect([...engine.state.keys()].sort()).toEqual([urn("a"), urn("b")]);
  });

  test("a program that throws is reported against the stack, after its registrations settle", async () => {
    const { engine } = await startEngine();

    const result = await engine.up(() => {
      new NoopResource("a", { name: "a" });
      throw new Error("program broke");
    });

    expect(result.errors).toEqual([{ urn: "urn:pulumi:stack::project::pulumi:pulumi:Stack::project-stack", message: "program broke" }]);
    expect(steps(result)).toEqual(["create a"]);
  });

  test("unqualified config keys read the engine's project, in the host and in the program", async () => {
    const { engine } = await startEngine({ project: "demo", stack: "dev", config: { "demo:tag": "blue" } });

    const result = await engine.up(() => ({
      tag: new NoopResource("a", { name: "a" }).tag,
      programTag: new pulumi.Config().get("tag"),
    }));

    expect(result.outputs).toEqual({ tag: "blue", programTag: "blue" });
    expect(engine.state.has(urn("a", "dev", "demo"))).toBe(true);
  });

  test("a component is recorded without RPCs and qualifies its children's URNs", async () => {
    const { engine } = await startEngine();
    class Group extends pulumi.ComponentResource {
      constructor(name: string) {
        super("test:index:Group", name);
        new NoopResource(`${name}-member`, { name: `${name}-member` }, { parent: this });
        this.registerOutputs({});
      }
    }

    const result = await engine.up(() => void new Group("g"));

    const memberUrn = `urn:pulumi:stack::project::test:index:Group$${DYNAMIC_TYPE}::g-member`;
    expect(result.errors).toEqual([]);
    expect(result.rpcs).toEqual([{ method: "Configure" }, { method: "Check", urn: memberUrn }, { method: "Create", urn: memberUrn }]);
    expect(steps(result)).toEqual(["create g", "create g-member"]);
    expect(engine.state.get("urn:pulumi:stack::project::test:index:Group::g")).toMatchObject({ id: "" });

    const destroyed = await engine.destroy();
    expect(rpcs(destroyed)).toEqual(["Delete g-member"]);
    expect(steps(destroyed)).toEqual(["delete g", "delete g-member"]);
  });

  test("secret inputs reach the provider as plain values and come back secret", async () => {
    const { engine, dataPath } = await startEngine();

    const result = await engine.up(() => {
      const a = new NoopResource("a", { name: "a", size: pulumi.secret(3) });
      return { size: a.size, sizeIsSecret: pulumi.isSecret(a.size) };
    });

    expect(result.outputs).toEqual({ size: 3, sizeIsSecret: true });
    expect(readRecords(dataPath).a.size).toBe(3);
  });
});

describe("PulumiEngine throughput", () => {
  const COUNT = 200;
  const manyResources = () => {
    for (let i = 0; i < COUNT; i++) new NoopResource(`r${i}`, { name: `r${i}`, size: i });
  };

  test(`${COUNT} noop resources through up, an unchanged up and destroy`, async () => {
    // In memory: no data file, so the timings are the engine's and the host's.
    const engine = await PulumiEngine.start({ projectDir });
    onTestFinished(() => engine.close());

    const timed = async (label: string, operation: () => Promise<RunResult>) => {
      const started = performance.now();
      const result = await operation();
      const elapsed = performance.now() - started;
      console.log(`${label}: ${elapsed.toFixed(0)} ms, ${(elapsed / COUNT).toFixed(2)} ms per resource`);
      expect(result.errors).toEqual([]);
      return result;
    };

    expect((await timed("up", () => engine.up(manyResources))).steps).toHaveLength(COUNT);
    expect(steps(await timed("unchanged up", () => engine.up(manyResources)))).toEqual(
      Array.from({ length: COUNT }, (_, i) => `same r${i}`).sort(),
    );
    await timed("destroy", () => engine.destroy());
    expect(engine.state.size).toBe(0);
  });
});
