/**
 * HA restart orchestration (vSphere 6.5: API ClusterDependencyRuleInfo, ClusterVmReadiness with
 * postReadyDelay; "vSphere 6.5 - vSphere HA Orchestrated Restart": circular rules are rejected).
 */
import { describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import { bootSeconds } from "../../runtime/core/ha/timing";
import { VmSpec } from "../../schema/virtual-machine";
import { cluster, esxHost, vm } from "../support/fixtures";

const dependency = (name: string, vms: string[], dependsOn: string[], extra: object = {}) => ({
  kind: "Rule" as const,
  name,
  spec: { cluster: "prod", type: "restartDependency", vms, dependsOn, ...extra },
});

async function threeTier(): Promise<Runtime> {
  const rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl: { policy: "disabled" } }, drs: { automationLevel: "manual" } }));
  for (const h of ["esx1", "esx2", "esx3"]) await rt.apply(esxHost(h));
  for (const v of ["db", "app", "web"]) await rt.apply(vm(v, { host: "esx1" }));
  for (const v of ["db", "app", "web"]) await rt.apply(vm(v));
  return rt;
}

describe("restart dependencies", () => {
  it("restarts a chain in dependency order: app once db's guest is up, web 30 s after app is up", async () => {
    const rt = await threeTier();
    await rt.apply(dependency("app-needs-db", ["app"], ["db"], { readiness: "guestHeartbeats" }));
    await rt.apply(dependency("web-needs-app", ["web"], ["app"], { readiness: "guestHeartbeats", additionalDelaySeconds: 30 }));
    await rt.failHost("esx1", { mode: "crash" });
    await rt.advance(1200);
    const restarted = Object.fromEntries((await rt.events()).filter((e) => e.reason === "HaRestarted").map((e) => [e.name, e.timeSeconds]));
    const boot = bootSeconds(VmSpec.parse(vm("x").spec));
    // Declared failed after 15 s (vSphere Availability guide); each guest boots for `boot` seconds.
    expect(restarted).toEqual({ db: 15, app: 15 + boot, web: 15 + 2 * boot + 30 });
    await rt.close();
  });

  it("with readiness poweredOn a dependent starts as soon as its dependency is powered on", async () => {
    const rt = await threeTier();
    await rt.apply(dependency("app-needs-db", ["app"], ["db"]));
    await rt.failHost("esx1", { mode: "crash" });
    await rt.advance(600);
    const restarted = (await rt.events()).filter((e) => e.reason === "HaRestarted").map((e) => `${e.name}@${e.timeSeconds}`);
    expect(restarted).toContain("db@15");
    expect(restarted).toContain("app@15");
    await rt.close();
  });

  it("refuses a cycle, naming the VMs, and changes nothing", async () => {
    const rt = await threeTier();
    await rt.apply(dependency("a", ["app"], ["db"]));
    await rt.apply(dependency("b", ["web"], ["app"]));
    const before = await rt.list("Rule");
    const refused = rt.apply(dependency("c", ["db"], ["web"]));
    await expect(refused).rejects.toMatchObject({ code: "Conflict", field: "dependsOn" });
    await expect(refused).rejects.toThrow(/cycle: app -> db -> web -> app/);
    expect(await rt.list("Rule")).toEqual(before);
    await expect(rt.apply(dependency("self", ["db"], ["db"]))).rejects.toMatchObject({ code: "InvalidSpec" });
    await expect(rt.apply(dependency("ghost", ["db"], ["nobody"]))).rejects.toMatchObject({ code: "NotFound" });
    await rt.close();
  });

  it("has no say in placement: DRS and placement ignore it", async () => {
    const rt = await threeTier();
    const rule = await rt.apply(dependency("app-needs-db", ["app"], ["db"]));
    expect(rule.status).toMatchObject({ mandatory: false, violations: [] });
    await rt.close();
  });
});
