/**
 * The solaris-zones example through the real dynamic provider host. Expected figures follow the
 * Solaris System Administration Guide: Resource Management ("Fair Share Scheduler": shares among
 * active zones, projects within a zone, idle shares not counted; "Resource Pools": disjoint processor
 * sets; "CPU Caps"; zonecfg dedicated-cpu), worked out in the example's README.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
    expect(result.errors.flatMap((e) => e.failures ?? [])).toEqual([{ property: "cpu.cappedCpus", reason: expect.stringContaining("cappedCpus cannot be combined with dedicatedCpus") }]);
    expect(dumpStateFile(session.folder.statePath)).toBe(before);
  });
});
