/**
 * The solaris-zones example through the real dynamic provider host. Expected figures follow the
 * Solaris System Administration Guide: Resource Management ("Fair Share Scheduler": shares among
 * active zones, projects within a zone, idle shares not counted; "Resource Pools": disjoint processor
 * sets; "CPU Caps"; zonecfg dedicated-cpu), worked out in the example's README. A zone whose host
 * pin changes moves by detach/attach, and `pulumi up` returns once the move has landed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerObject } from "../../runtime";
import { dumpStateFile } from "../support/state-file";
import { type ExampleSession, startExample } from "./example-session";

let session: ExampleSession;
beforeAll(async () => {
  session = await startExample("solaris-zones");
});
afterAll(() => session?.close());

describe("examples/solaris-zones through the provider host", () => {
  it("up shows each zone's FSS entitlement", async () => {
    const result = await session.engine.up(session.program());
    expect(result.errors).toEqual([]);
    expect(result.outputs).toEqual({
      web: 6000,
      webProjects: { frontend: 4000, reports: 2000 },
      app: 1500,
      nightly: 4000,
      db: 3000,
      legacy: 500,
      legacyBrand: "lx",
    });
  });

  it("refuses a dedicated zone with a cap, naming the field, and changes nothing", async () => {
    const before = dumpStateFile(session.folder.statePath);
    const result = await session.engine.up(session.edited("cpu: { dedicatedCpus: 2 }", "cpu: { dedicatedCpus: 2, cappedCpus: 1 }"));
    expect(result.errors.map((e) => e.urn)).toEqual([expect.stringMatching(/::db$/)]);
    expect(result.errors.flatMap((e) => e.failures ?? [])).toEqual([
      { property: "cpu.cappedCpus", reason: expect.stringContaining("cappedCpus cannot be combined with dedicatedCpus") },
    ]);
    expect(dumpStateFile(session.folder.statePath)).toBe(before);
  });

  it("up waits for a zone's detach/attach move to land when its host pin changes", async () => {
    const spare = `const spare = new pv.Host("t2000b", { cluster: cluster.name, hypervisor: "zones", cpu: { sockets: 1, coresPerSocket: 8, mhz: 2000, vendor: "amd", features: ["svm", "lm"] }, memoryMb: 32768 });\n  const legacy = zone("legacy", { host: spare.name,`;
    const result = await session.engine.up(session.edited(`const legacy = zone("legacy", {`, spare));
    expect(result.errors).toEqual([]);
    const seen = await session.runtimeView(async (rt) => ({
      legacy: ((await rt.get("Container", "legacy")) as ContainerObject).status,
      started: (await rt.events()).find((e) => e.name === "legacy" && e.reason === "MigrationStarted"),
      now: await rt.now(),
    }));
    expect(seen.legacy).toMatchObject({
      currentHost: "t2000b",
      migration: null,
      migrations: 1,
      lastMigration: { kind: "detachAttach", fromHost: "t2000", toHost: "t2000b" },
    });
    // Halt 10 s, 4 GB zonepath over 1000 Mbit/s (32.768 s), boot 30 s: the update returned only after the landing.
    expect(seen.legacy.lastMigration!.completedAtSeconds - seen.started!.timeSeconds).toBeCloseTo(72.768, 3);
    expect(seen.now).toBeGreaterThanOrEqual(seen.legacy.lastMigration!.completedAtSeconds);
  });
});
