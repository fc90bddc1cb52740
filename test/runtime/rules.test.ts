/**
 * DRS rules (vSphere Resource Management guide, "Using DRS Rules": VM-VM affinity and anti-affinity,
 * VM-Host "must"/"should" rules; required rules are never violated by DRS, DPM or HA, preferential
 * rules are honoured when possible).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { ObjectInput } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { busy, clusterOf, eventsSince, landMigrations, lastSeq, placement, skewedCluster } from "../support/drs-fixtures";

let rt: Runtime;
beforeEach(async () => {
  rt = await openRuntime({ path: ":memory:" });
});
afterEach(async () => {
  await rt.close();
});

const rule = (name: string, spec: Record<string, unknown>): ObjectInput => ({ kind: "Rule", name, spec: { cluster: "prod", ...spec } });

async function twoHosts(clusterSpec: object = {}) {
  await rt.apply(cluster("prod", clusterSpec));
  await rt.apply(esxHost("esx1"));
  await rt.apply(esxHost("esx2"));
}

describe("Rule validation", () => {
  beforeEach(async () => {
    await twoHosts();
    for (const n of ["a", "b", "c"]) await rt.apply(vm(n));
  });

  it.each([
    [{ type: "vmHost", vms: ["a"], hosts: ["esx1"] }, "InvalidSpec", /field hostAffinity: a vmHost rule needs hostAffinity/],
    [{ type: "affinity", vms: ["a"] }, "InvalidSpec", /field vms: an affinity rule needs at least two VMs/],
    [{ type: "antiAffinity", vms: ["a", "a"] }, "InvalidSpec", /field vms.1: a is listed twice/],
    [
      { type: "vmHost", vms: ["a"], hosts: ["esx1"], hostAffinity: "shouldRunOn", mandatory: true },
      "InvalidSpec",
      /field mandatory: shouldRunOn is not mandatory/,
    ],
    [{ type: "antiAffinity", vms: ["a", "ghost"] }, "NotFound", /Rule r: field vms.1: VirtualMachine ghost does not exist/],
    [{ type: "vmHost", vms: ["a"], hosts: ["esx9"], hostAffinity: "mustRunOn" }, "NotFound", /field hosts.0: Host esx9 does not exist/],
  ])("refuses %j", async (spec, code, message) => {
    const error = await rt.apply(rule("r", spec)).catch((e) => e);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(await rt.list("Rule")).toEqual([]);
  });

  it("defaults mandatory by type: anti-affinity yes, affinity no, vmHost from hostAffinity", async () => {
    expect((await rt.apply(rule("apart", { type: "antiAffinity", vms: ["a", "b"] }))).status).toMatchObject({ mandatory: true });
    expect((await rt.apply(rule("together", { type: "affinity", vms: ["b", "c"] }))).status).toMatchObject({ mandatory: false });
    expect((await rt.apply(rule("must", { type: "vmHost", vms: ["c"], hosts: ["esx1"], hostAffinity: "mustRunOn" }))).status).toMatchObject(
      { mandatory: true },
    );
  });

  it("refuses mandatory rules that can never hold together, naming the other rule", async () => {
    await rt.apply(rule("apart", { type: "antiAffinity", vms: ["a", "b"] }));
    await expect(rt.apply(rule("together", { type: "affinity", vms: ["a", "b"], mandatory: true }))).rejects.toMatchObject({
      code: "Conflict",
      message: expect.stringMatching(/mandatory rule apart is an antiAffinity rule over a, b too/),
    });
    await rt.apply(rule("on1", { type: "vmHost", vms: ["c"], hosts: ["esx1"], hostAffinity: "mustRunOn" }));
    await expect(
      rt.apply(rule("off1", { type: "vmHost", vms: ["c"], hosts: ["esx1"], hostAffinity: "mustNotRunOn" })),
    ).rejects.toMatchObject({ code: "Conflict", message: expect.stringMatching(/no host of cluster prod is left for VM c/) });
  });

  it("keeps a VM or host that a rule names from being deleted", async () => {
    await rt.apply(rule("on1", { type: "vmHost", vms: ["c"], hosts: ["esx1"], hostAffinity: "mustRunOn" }));
    await expect(rt.delete("VirtualMachine", "c")).rejects.toMatchObject({ code: "Conflict", message: expect.stringMatching(/Rule on1/) });
    await expect(rt.delete("Host", "esx1")).rejects.toMatchObject({ code: "Conflict", message: expect.stringMatching(/Rule on1/) });
    await rt.delete("Rule", "on1");
    await rt.delete("VirtualMachine", "c");
  });
});

describe("rules in placement", () => {
  it("never places two anti-affine VMs together, and refuses when no host is left", async () => {
    await twoHosts();
    await rt.apply(vm("a", { powerState: "off" }));
    await rt.apply(vm("b", { powerState: "off" }));
    await rt.apply(vm("c", { powerState: "off" }));
    await rt.apply(rule("apart", { type: "antiAffinity", vms: ["a", "b", "c"] }));
    await rt.apply(vm("a"));
    await rt.apply(vm("b"));
    const where = await placement(rt);
    expect(where.a).not.toBe(where.b);
    const error = await rt.apply(vm("c")).catch((e) => e);
    expect(error.code).toBe("InsufficientCapacity");
    expect(error.message).toMatch(/esx1: mandatory rule apart: keeps it apart from a \(on esx1\)/);
  });

  it("places a VM on its must-run hosts and prefers its should-run hosts", async () => {
    await twoHosts();
    for (const n of ["m", "s", "load"]) await rt.apply(vm(n, { powerState: "off" }));
    await rt.apply(rule("m-on-2", { type: "vmHost", vms: ["m"], hosts: ["esx2"], hostAffinity: "mustRunOn" }));
    await rt.apply(rule("s-on-1", { type: "vmHost", vms: ["s"], hosts: ["esx1"], hostAffinity: "shouldRunOn" }));
    await rt.apply(vm("load", { host: "esx1", memoryMb: 16384 }));
    await rt.apply(vm("m"));
    await rt.apply(vm("s"));
    expect(await placement(rt)).toMatchObject({ m: "esx2", s: "esx1" });
  });
});

describe("rules in DRS", () => {
  it("corrects a violation as soon as a rule is added, as a priority-1 move, even at threshold 1", async () => {
    await skewedCluster(rt, { clusterSpec: { drs: { migrationThreshold: 1 } }, hosts: 2, vms: { a: busy(100), b: busy(100) } });
    expect(await placement(rt)).toEqual({ a: "esx1", b: "esx1" });
    const seq = await lastSeq(rt);
    const r = await rt.apply(rule("apart", { type: "antiAffinity", vms: ["a", "b"] }));
    // The correction is under way: a still runs on esx1 while it migrates, and counts where it goes.
    expect(r.status).toMatchObject({ violations: [] });
    expect(await placement(rt)).toEqual({ a: "esx1", b: "esx1" });
    await landMigrations(rt);
    expect(await placement(rt)).toEqual({ a: "esx2", b: "esx1" });
    const events = (await eventsSince(rt, seq)).map((e) => `${e.kind} ${e.name} ${e.reason}: ${e.message}`);
    expect(events).toEqual([
      "Rule apart Created: mandatory anti-affinity (keep apart) of a, b",
      expect.stringMatching(/^Rule apart RuleViolated: 2 VM\(s\) break the mandatory rule/),
      expect.stringMatching(
        /^VirtualMachine a DrsMigrated: moved from esx1 to esx2 \(priority 1\): mandatory rule apart: keeps it apart from b \(on esx1\); live migration esx1 -> esx2: .* expected$/,
      ),
      "Rule apart RuleSatisfied: every running VM of the rule complies again",
      expect.stringMatching(/^VirtualMachine a Migrated: moved from esx1 to esx2: live migration/),
    ]);
  });

  it("recommends the correction in manual mode and reports a violation it cannot fix", async () => {
    await skewedCluster(rt, {
      clusterSpec: { drs: { automationLevel: "manual" } },
      hosts: 2,
      vms: { a: busy(100), b: busy(100), p: { host: "esx1" } },
    });
    await rt.apply(rule("apart", { type: "antiAffinity", vms: ["a", "b"] }));
    expect((await clusterOf(rt)).status.drs.recommendations).toEqual([
      { vm: "a", fromHost: "esx1", toHost: "esx2", priority: 1, reason: "mandatory rule apart: keeps it apart from b (on esx1)" },
    ]);
    await rt.apply(rule("p-off-1", { type: "vmHost", vms: ["p"], hosts: ["esx1"], hostAffinity: "mustNotRunOn" }));
    const drs = (await clusterOf(rt)).status.drs;
    expect(drs.unresolved).toEqual(["p: mandatory rule p-off-1: keeps it off esx1; it is pinned to esx1"]);
    expect((await rt.get("Rule", "p-off-1"))!.status).toMatchObject({
      violations: ["p on esx1: mandatory rule p-off-1: keeps it off esx1"],
    });
  });

  it("never splits VMs of a mandatory affinity rule to balance", async () => {
    await skewedCluster(rt, { hosts: 3, vms: { a: busy(10000), b: busy(10000), c: busy(2000), d: busy(2000) } });
    await rt.apply(rule("ab", { type: "affinity", vms: ["a", "b"], mandatory: true }));
    await rt.advance(300);
    await landMigrations(rt);
    const where = await placement(rt);
    expect(where.a).toBe(where.b);
    // Split, a and b would balance best; together they still leave c and d elsewhere.
    expect(where.c).not.toBe(where.a);
    expect(where.d).not.toBe(where.a);
    const moved = (await clusterOf(rt)).status.drs.moves.map((m) => m.vm);
    expect(moved.includes("a")).toBe(moved.includes("b"));
  });

  it("does not break a preferential rule to balance", async () => {
    await skewedCluster(rt, { clusterSpec: { drs: { migrationThreshold: 5 } }, hosts: 2, vms: { a: busy(10000), b: busy(10000) } });
    await rt.apply(rule("both-on-1", { type: "vmHost", vms: ["a", "b"], hosts: ["esx1"], hostAffinity: "shouldRunOn" }));
    await rt.advance(600);
    expect(await placement(rt)).toEqual({ a: "esx1", b: "esx1" });
  });
});
