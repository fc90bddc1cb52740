/**
 * An Alarm declared from Pulumi through the real dynamic provider host: created with its status, no
 * diff on a second run, a threshold edit updated in place, a bad metric failing preview at the alarm.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlarmObject } from "../../runtime";
import { PulumiEngine } from "../harness/engine";
import { type ProgramFolder, programFolder, readState } from "./program-loader";

let folder: ProgramFolder;
let engine: PulumiEngine;

const program = (threshold: number, metric = "haFailoverCapacity") =>
  folder.load(
    `import * as pv from "polyvisor";
     export = async () => {
       const c = new pv.Cluster("prod", { ha: { enabled: true } });
       const cpu = { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel" as const, features: ["vmx" as const, "ept" as const, "lm" as const] };
       const hosts = ["esx1", "esx2"].map((n) => new pv.Host(n, { cluster: c.name, hypervisor: "esx", memoryMb: 65536, cpu }));
       const alarm = new pv.Alarm("failover", { target: { kind: "Cluster", name: c.name }, metric: "${metric}" as any, threshold: ${threshold}, forSeconds: 60, severity: "critical" }, { dependsOn: hosts });
       return { state: alarm.status.state, value: alarm.status.value };
     };`,
    `program-${Math.random().toString(36).slice(2)}.js`,
  );

beforeAll(async () => {
  folder = programFolder();
  engine = await PulumiEngine.start({ projectDir: folder.dir, config: { "polyvisor:statePath": folder.statePath } });
});

afterAll(async () => {
  await engine?.close();
  folder?.remove();
});

describe("Alarm through the provider", () => {
  it("creates the alarm with its status, then shows no change", async () => {
    const result = await engine.up(program(1));
    expect(result.errors).toEqual([]);
    // Two empty hosts: HA can lose both, not below 1.
    expect(result.outputs).toMatchObject({ state: "normal", value: 2 });
    const again = await engine.preview(program(1));
    expect(new Set(again.steps.map((s) => s.op))).toEqual(new Set(["same"]));
  });

  it("updates a threshold in place, and the alarm re-evaluates it", async () => {
    const result = await engine.up(program(3));
    expect(result.errors).toEqual([]);
    expect(result.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`)).toEqual(["update failover"]);
    const alarm = await readState(folder.statePath, async (rt) => (await rt.get("Alarm", "failover")) as AlarmObject);
    // 2 < 3: pending until the condition has held for 60 s of simulated time.
    expect(alarm.status).toMatchObject({ state: "pending", value: 2 });
  });

  it("fails preview at the alarm for a metric of another kind of target", async () => {
    const result = await engine.preview(program(1, "hostCpuUsedPercent"));
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].urn).toMatch(/::failover$/);
    expect(result.errors[0].message).toContain("target.kind");
  });
});
