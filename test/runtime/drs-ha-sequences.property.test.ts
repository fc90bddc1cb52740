/**
 * DRS and HA together under random sequences over a small cluster (fast-check, the suite's fixed
 * seed): rule changes (affinity, anti-affinity, VM-host, restart dependencies), host
 * maintenance, failures, recoveries, pin changes, DRS passes and clock advances. Whatever happens:
 * - an operation either succeeds or is refused with a contract code;
 * - the clock always advances by what was asked, and no step of an advance fails (no StepFailed);
 * - no VM starts a move while it is in flight (one move at a time per VM);
 * - once every host is back and every move has landed, each mandatory rule holds, or the last DRS
 *   pass names every VM that breaks it: in status.drs.unresolved with why, or (manual) in a
 *   recommendation that corrects it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { ClusterObject, HostObject, RuntimeEvent, RuntimeObject, VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";

const VMS = ["v1", "v2", "v3", "v4", "v5", "v6"];
const HOSTS = ["h1", "h2", "h3"];
const CODES = ["InvalidSpec", "NotFound", "Conflict", "Incompatible", "InsufficientCapacity", "AdmissionControl"];

const subset = (min: number, max: number, from: string[]) => fc.uniqueArray(fc.constantFrom(...from), { minLength: min, maxLength: max });
const ruleSpecArb = fc.oneof(
  subset(2, 3, VMS).map((vms) => ({ type: "affinity", vms, mandatory: true })),
  subset(2, 3, VMS).map((vms) => ({ type: "antiAffinity", vms })),
  fc
    .record({
      vms: subset(1, 3, VMS),
      hosts: subset(1, 2, HOSTS),
      hostAffinity: fc.constantFrom("mustRunOn", "mustNotRunOn", "shouldRunOn"),
    })
    .map((r) => ({ type: "vmHost", ...r })),
  subset(2, 3, VMS).map(([first, ...rest]) => ({ type: "restartDependency", vms: [first], dependsOn: rest, readiness: "guestHeartbeats" })),
);

type Op =
  | { rule: number; spec: object }
  | { dropRule: number }
  | { maintenance: string; on: boolean }
  | { fail: string; mode: "crash" | "isolation" }
  | { recover: string }
  | { pin: string; host: string | null }
  | { demand: string; mhz: number }
  | { drs: true }
  | { advance: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ rule: fc.integer({ min: 0, max: 2 }), spec: ruleSpecArb }), weight: 3 },
  { arbitrary: fc.record({ dropRule: fc.integer({ min: 0, max: 2 }) }), weight: 1 },
  { arbitrary: fc.record({ maintenance: fc.constantFrom(...HOSTS), on: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ fail: fc.constantFrom(...HOSTS), mode: fc.constantFrom("crash" as const, "isolation" as const) }), weight: 1 },
  { arbitrary: fc.record({ recover: fc.constantFrom(...HOSTS) }), weight: 2 },
  { arbitrary: fc.record({ pin: fc.constantFrom(...VMS), host: fc.option(fc.constantFrom(...HOSTS)) }), weight: 1 },
  { arbitrary: fc.record({ demand: fc.constantFrom(...VMS), mhz: fc.integer({ min: 0, max: 12000 }) }), weight: 2 },
  { arbitrary: fc.constant({ drs: true as const }), weight: 1 },
  { arbitrary: fc.constantFrom(15, 60, 300, 900).map((advance) => ({ advance })), weight: 3 },
);

const demands = new Map<string, number>();
const pins = new Map<string, string | null>();
const vmInput = (name: string) =>
  vm(name, {
    memoryMb: 2048,
    ...(pins.get(name) ? { host: pins.get(name) } : {}),
    workload: { cpuDemandMhz: demands.get(name) ?? 2000, activeMemoryMb: 512 },
  });
const hostInput = (name: string, maintenance = false) => esxHost(name, "prod", { memoryMb: 16384, maintenance });

async function step(rt: Runtime, op: Op): Promise<void> {
  if ("rule" in op) await rt.apply({ kind: "Rule", name: `r${op.rule}`, spec: { cluster: "prod", ...op.spec } });
  else if ("dropRule" in op) await rt.delete("Rule", `r${op.dropRule}`);
  else if ("maintenance" in op) await rt.apply(hostInput(op.maintenance, op.on));
  else if ("fail" in op) await rt.failHost(op.fail, { mode: op.mode });
  else if ("recover" in op) await rt.recoverHost(op.recover);
  else if ("pin" in op) {
    const before = pins.get(op.pin) ?? null;
    pins.set(op.pin, op.host);
    await rt.apply(vmInput(op.pin)).catch((e) => {
      pins.set(op.pin, before);
      throw e;
    });
  } else if ("demand" in op) {
    const before = demands.get(op.demand);
    demands.set(op.demand, op.mhz);
    await rt.apply(vmInput(op.demand)).catch((e) => {
      demands.set(op.demand, before ?? 2000);
      throw e;
    });
  } else if ("drs" in op) await rt.runDrs("prod");
  else {
    const before = await rt.now();
    await rt.advance(op.advance);
    expect(await rt.now()).toBe(before + op.advance);
  }
}

/** Each move starts only when the VM is not already moving. */
function secondMoves(events: RuntimeEvent[]): string[] {
  const inFlight = new Set<string>();
  const out: string[] = [];
  for (const e of events) {
    if (e.kind !== "VirtualMachine") continue;
    if (e.reason === "DrsMigrated" || e.reason === "MigrationStarted") {
      if (inFlight.has(e.name)) out.push(`${e.name} at t=${e.timeSeconds}: ${e.message.slice(0, 120)}`);
      inFlight.add(e.name);
    }
    if (e.reason === "Migrated" || e.reason === "MigrationAborted" || e.reason === "Crashed" || e.reason === "PoweredOff")
      inFlight.delete(e.name);
  }
  return out;
}

async function checkSequence(ops: Op[], automationLevel: string): Promise<void> {
  demands.clear();
  pins.clear();
  const rt = await openRuntime({ path: ":memory:" });
  try {
    await rt.apply(
      cluster("prod", { drs: { automationLevel, migrationThreshold: 3 }, ha: { enabled: true, admissionControl: { policy: "disabled" } } }),
    );
    for (const h of HOSTS) await rt.apply(hostInput(h));
    for (const v of VMS) await rt.apply(vmInput(v));
    for (const op of ops) {
      await step(rt, op).catch((e) => {
        expect(CODES, `${JSON.stringify(op)} failed without a contract code: ${e}`).toContain(e.code);
      });
    }
    // Every host back in service, every pin dropped, and time for the moves to land and DRS to settle.
    for (const h of HOSTS) {
      const state = ((await rt.get("Host", h)) as HostObject).status.state;
      if (state === "failed" || state === "isolated") await rt.recoverHost(h);
      await rt.apply(hostInput(h));
    }
    pins.clear();
    await rt.advance(1800);
    for (const v of VMS) await rt.apply(vmInput(v));
    await rt.advance(3600);
    const events = await rt.events();
    expect(events.filter((e) => e.reason === "StepFailed").map((e) => e.message)).toEqual([]);
    expect(secondMoves(events)).toEqual([]);
    const vms = (await rt.list("VirtualMachine")) as VirtualMachineObject[];
    expect(vms.filter((v) => v.status.migration !== null).map((v) => v.name)).toEqual([]);
    const drs = ((await rt.get("Cluster", "prod")) as ClusterObject).status.drs;
    const explained = [...drs.unresolved, ...drs.recommendations.map((m) => `${m.vm} recommended to ${m.toHost}`)].join("; ");
    const rules = (await rt.list("Rule")) as RuntimeObject[];
    for (const r of rules) {
      const status = r.status as { mandatory: boolean; violations: string[] };
      if (!status.mandatory || status.violations.length === 0) continue;
      const members = (r.spec as { vms: string[] }).vms;
      const named = members.filter(
        (name) =>
          drs.unresolved.some((u) => u.startsWith(`${name} `) || u.startsWith(`${name}:`)) ||
          drs.recommendations.some((m) => m.vm === name),
      );
      expect(
        named,
        `rule ${r.name} is broken (${status.violations.join("; ")}) and the last pass says nothing of it: ${explained}`,
      ).not.toEqual([]);
    }
  } finally {
    await rt.close();
  }
}

describe("DRS and HA under random rule, host, failure and clock sequences", () => {
  it("never fail without a contract code, never stop the clock, never move a VM twice at once, and leave mandatory rules kept or explained", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), fc.constantFrom("manual", "fullyAutomated"), (ops, level) =>
        checkSequence(ops, level),
      ),
      { numRuns: 40 },
    );
  });
});
