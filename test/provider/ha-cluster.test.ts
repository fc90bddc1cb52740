/**
 * examples/ha-cluster through Pulumi's real dynamic provider host: an `up` that would break HA
 * admission control fails at that resource with the arithmetic; after a host failure and HA's
 * restarts, `refresh` reads the new `currentHost` values and the next `up` changes nothing (a move
 * by the runtime is not drift).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import type { VirtualMachineObject } from "../../runtime";
import { PulumiEngine, type RunResult } from "../harness/engine";
import { dumpStateFile } from "../support/state-file";
import { type ProgramFolder, exampleSource, programFolder } from "./program-loader";

let folder: ProgramFolder;
let engine: PulumiEngine;

const methods = (r: RunResult) => [...new Set(r.rpcs.map((c) => c.method))].sort();

function program(vmCount = 6) {
  const source = exampleSource("ha-cluster");
  if (!source.includes("const vmCount = 6;")) throw new Error("the example no longer sets vmCount");
  return folder.load(
    source.replace("const vmCount = 6;", `const vmCount = ${vmCount};`),
    `ha-${vmCount}-${Math.random().toString(36).slice(2)}.js`,
  );
}

async function withRuntime<T>(work: (rt: Awaited<ReturnType<typeof openRuntime>>) => Promise<T>): Promise<T> {
  const rt = await openRuntime({ path: folder.statePath });
  try {
    return await work(rt);
  } finally {
    await rt.close();
  }
}

const vmOutputs = () =>
  Object.fromEntries(
    [...engine.state.values()].filter((r) => r.name.startsWith("app")).map((r) => [r.name, r.outputs.currentHost as string | null]),
  );

beforeAll(async () => {
  folder = programFolder();
  engine = await PulumiEngine.start({ projectDir: folder.dir, project: "ha-cluster", config: { "polyvisor:statePath": folder.statePath } });
});

afterAll(async () => {
  await engine?.close();
  folder?.remove();
});

describe("examples/ha-cluster through the provider host", () => {
  it("up creates the cluster, the datastore, the hosts and six protected VMs", async () => {
    const result = await engine.up(program());
    expect(result.errors).toEqual([]);
    const cluster = await withRuntime((rt) => rt.get("Cluster", "prod"));
    expect(cluster!.status).toMatchObject({ ha: { totalSlots: 9, usedSlots: 6, availableSlots: 0, currentFailoverCapacity: 1 } });
  });

  it("an up that would break admission control fails at that resource with the arithmetic, and changes nothing", async () => {
    const before = dumpStateFile(folder.statePath);
    const result = await engine.up(program(7));
    expect(result.errors.map((e) => e.urn.split("::").pop())).toEqual(["app7"]);
    const message = result.errors[0].message;
    expect(message).toContain(
      "AdmissionControl: VirtualMachine app7: field powerState: HA admission control (slot policy) of cluster prod refuses powering it on",
    );
    expect(message).toContain("slots per host: esx1 3, esx2 3, esx3 3; 9 in all, 7 used by powered-on VMs");
    expect(message).toContain("leaves 6 slots for 7 VMs: current failover capacity 0 host failure(s), configured 1");
    expect(dumpStateFile(folder.statePath)).toBe(before);
  });

  it("after a host failure, refresh reads where HA restarted the VMs and the next up changes nothing", async () => {
    const placedBefore = vmOutputs();
    const failed = Object.entries(placedBefore)
      .filter(([, host]) => host === "esx2")
      .map(([name]) => name);
    expect(failed.length).toBeGreaterThan(0);
    await withRuntime(async (rt) => {
      await rt.failHost("esx2");
      await rt.advance(600);
    });

    const refreshed = await engine.refresh();
    expect(refreshed.errors).toEqual([]);
    const placedAfter = vmOutputs();
    const actual = await withRuntime(async (rt) =>
      Object.fromEntries(((await rt.list("VirtualMachine")) as VirtualMachineObject[]).map((v) => [v.name, v.status.currentHost])),
    );
    expect(placedAfter).toEqual(actual);
    for (const name of failed) expect(["esx1", "esx3"]).toContain(placedAfter[name]);

    const next = await engine.up(program());
    expect(next.errors).toEqual([]);
    expect(methods(next)).toEqual(["Check", "Diff"]);
    expect(new Set(next.steps.map((s) => s.op))).toEqual(new Set(["same"]));
  });
});
