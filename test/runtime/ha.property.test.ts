/**
 * Property tests over random sequences of host failures (crash or isolation), recoveries, time,
 * user power operations and live migrations (pin changes) in an HA cluster under the slot policy: no
 * VM runs on a failed host or twice, no migration goes on from or to a failed or isolated host, the
 * accounting and HA totals equal a recomputation, every VM waiting for capacity is explained by an
 * event, a crash loses no protected VM while the slot arithmetic said one host failure could be
 * tolerated, and the same sequence gives the same events.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { ClusterObject, HostObject, VirtualMachineObject } from "../../runtime";
import { cluster, datastore, esxHost, vm } from "../support/fixtures";
import { haMismatches } from "../support/ha-oracle";
import { accountingMismatches, asInventory } from "../support/oracle";

const HOSTS = ["h1", "h2", "h3", "h4"];
const PRIORITIES = ["disabled", "lowest", "low", "medium", "high", "highest"] as const;

interface VmPlan {
  memRes: number;
  cpuRes: number;
  priority: (typeof PRIORITIES)[number];
  disk: boolean;
}

interface World {
  response: "none" | "powerOff" | "shutdown";
  hostMemory: number[];
  vms: VmPlan[];
}

type Op =
  | { crash: number; settle: boolean }
  | { isolate: number }
  | { recover: number }
  | { advance: number }
  | { power: number; on: boolean }
  | { reserve: number; memRes: number }
  | { migrate: number; to: number };

const worldArb: fc.Arbitrary<World> = fc.record({
  response: fc.constantFrom("none", "powerOff", "shutdown"),
  hostMemory: fc.array(fc.constantFrom(16384, 32768, 65536), { minLength: HOSTS.length, maxLength: HOSTS.length }),
  vms: fc.array(
    fc.record({
      memRes: fc.constantFrom(0, 1024, 4096, 8192),
      cpuRes: fc.constantFrom(0, 500, 2000),
      priority: fc.constantFrom(...PRIORITIES),
      disk: fc.boolean(),
    }),
    { minLength: 5, maxLength: 12 },
  ),
});

const host = fc.integer({ min: 0, max: HOSTS.length - 1 });
const vmIndex = fc.integer({ min: 0, max: 11 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ crash: host, settle: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ isolate: host }), weight: 2 },
  { arbitrary: fc.record({ recover: host }), weight: 3 },
  { arbitrary: fc.record({ advance: fc.integer({ min: 0, max: 200 }) }), weight: 3 },
  { arbitrary: fc.record({ power: vmIndex, on: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ reserve: vmIndex, memRes: fc.constantFrom(0, 2048, 16384) }), weight: 1 },
  { arbitrary: fc.record({ migrate: vmIndex, to: host }), weight: 2 },
);
const opsArb = fc.array(opArb, { minLength: 1, maxLength: 20 });

const vmName = (i: number) => `vm${i}`;
const vmSpec = (p: VmPlan, extra: Record<string, unknown> = {}) =>
  vm("", {
    vcpus: 2,
    memoryMb: 16384,
    cpu: { reservationMhz: p.cpuRes },
    memory: { reservationMb: p.memRes },
    haRestartPriority: p.priority,
    memoryOverheadMb: 64,
    ...(p.disk ? { disks: [{ datastore: "san", sizeGb: 10 }] } : {}),
    ...extra,
  }).spec;

async function build(w: World): Promise<Runtime> {
  const rt = await openRuntime({ path: ":memory:" });
  await rt.apply(
    cluster("prod", {
      ha: { enabled: true, isolationResponse: w.response, admissionControl: { policy: "slotPolicy", hostFailuresToTolerate: 1 } },
    }),
  );
  await rt.apply(datastore("san", "nfs", 10000));
  for (const [i, h] of HOSTS.entries()) await rt.apply(esxHost(h, "prod", { memoryMb: w.hostMemory[i], datastores: ["san"] }));
  for (const [i, p] of w.vms.entries()) await attempt(() => rt.apply({ kind: "VirtualMachine", name: vmName(i), spec: vmSpec(p) }));
  return rt;
}

/** Refusals (admission control, capacity, a host in the wrong state) are part of the game. */
async function attempt(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (!(e as { code?: string }).code) throw e;
  }
}

async function snapshot(rt: Runtime) {
  return asInventory({
    Cluster: await rt.list("Cluster"),
    Host: await rt.list("Host"),
    ResourcePool: [],
    VirtualMachine: await rt.list("VirtualMachine"),
  });
}

async function run(rt: Runtime, w: World, op: Op): Promise<void> {
  if ("crash" in op) {
    await attempt(() => rt.failHost(HOSTS[op.crash], { mode: "crash" }));
    if (op.settle) await rt.advance(1000);
  } else if ("isolate" in op) await attempt(() => rt.failHost(HOSTS[op.isolate], { mode: "isolation" }));
  else if ("recover" in op) await attempt(() => rt.recoverHost(HOSTS[op.recover]));
  else if ("advance" in op) await rt.advance(op.advance);
  else if ("power" in op) {
    const p = w.vms[op.power];
    if (p)
      await attempt(() =>
        rt.apply({ kind: "VirtualMachine", name: vmName(op.power), spec: vmSpec(p, { powerState: op.on ? "on" : "off" }) }),
      );
  } else if ("reserve" in op) {
    const p = w.vms[op.reserve];
    if (p) await attempt(() => rt.apply({ kind: "VirtualMachine", name: vmName(op.reserve), spec: vmSpec({ ...p, memRes: op.memRes }) }));
  } else {
    // Pinning a running VM to another host live-migrates it (a 16 GB VM takes about 131 s at 1 Gbit/s).
    const p = w.vms[op.migrate];
    if (p) await attempt(() => rt.apply({ kind: "VirtualMachine", name: vmName(op.migrate), spec: vmSpec(p, { host: HOSTS[op.to] }) }));
  }
}

/**
 * Whether some connected host, and the cluster's unreserved capacity, could take the VM now (its pin
 * aside); a host also reserves the CPU overhead of delivering the CPU reservation. Every host runs
 * the same release, so the overhead the VM last had is the one it would have anywhere.
 */
function roomFor(inv: Awaited<ReturnType<typeof snapshot>>, v: VirtualMachineObject): boolean {
  const cpu = v.spec.cpu.reservationMhz;
  const hostCpu = cpu + Math.ceil((v.status.overheadCpuPercent * cpu) / 100);
  const memory = v.spec.memory.reservationMb + v.status.overheadMemoryMb;
  const [c] = inv.clusters;
  const clusterRoom = cpu <= c.status.cpuUnreservedMhz && memory <= c.status.memoryUnreservedMb;
  const hostRoom = (inv.hosts as HostObject[]).some(
    (h) =>
      h.status.state === "connected" &&
      (v.spec.host === undefined || v.spec.host === h.name) &&
      hostCpu <= h.status.cpuCapacityMhz - h.status.cpuReservedMhz &&
      memory <= h.status.memoryCapacityMb - h.status.memoryReservedMb,
  );
  return clusterRoom && hostRoom;
}

async function checkInvariants(rt: Runtime): Promise<void> {
  const inv = await snapshot(rt);
  expect(accountingMismatches(inv)).toEqual([]);
  expect(haMismatches(inv)).toEqual([]);
  const hosts = new Map((inv.hosts as HostObject[]).map((h) => [h.name, h]));
  const placements = (inv.hosts as HostObject[]).flatMap((h) => h.status.vms);
  expect(new Set(placements).size, "a VM listed on two hosts").toBe(placements.length);
  const events = await rt.events();
  for (const v of inv.vms as VirtualMachineObject[]) {
    if (v.status.currentHost !== null) {
      expect(hosts.get(v.status.currentHost)!.status.state, `${v.name} runs on a failed host`).not.toBe("failed");
      expect(placements.filter((n) => n === v.name)).toEqual([v.name]);
    }
    const m = v.status.migration;
    if (m)
      for (const end of [m.fromHost, m.toHost]) expect(hosts.get(end)!.status.state, `${v.name} migrates via ${end}`).toBe("connected");
    if (v.status.haRestart?.state === "pendingRestart") {
      const last = events.filter((e) => e.name === v.name && (e.reason.startsWith("Ha") || e.reason === "AdmissionRefused")).at(-1);
      expect(last?.reason, `${v.name} is pending without an explaining event`).toBe("HaRestartPending");
      expect(last?.message).toContain(v.status.haRestart.pendingReason);
      expect(roomFor(inv, v), `${v.name} waits for capacity while there is room`).toBe(false);
    }
  }
}

/** Runs the sequence, checking the invariants after each step and, after a crash HA could absorb, that no protected VM was lost. */
async function checkSequence(w: World, ops: Op[]): Promise<void> {
  const rt = await build(w);
  try {
    for (const op of ops) {
      const before = ((await rt.get("Cluster", "prod")) as ClusterObject).status.ha;
      const victims = "crash" in op ? ((await rt.get("Host", HOSTS[op.crash])) as HostObject).status : undefined;
      const protectedVictims =
        victims?.state === "connected" ? victims.vms.filter((n) => w.vms[Number(n.slice(2))].priority !== "disabled") : [];
      await run(rt, w, op);
      await checkInvariants(rt);
      if ("crash" in op && op.settle && before.currentFailoverCapacity >= 1) {
        // The slot arithmetic said a host could fail: every protected VM is back and nothing waits,
        // except a VM pinned to a host that is down (a must-run rule HA does not break).
        const up = new Set(((await rt.list("Host")) as HostObject[]).filter((h) => h.status.state === "connected").map((h) => h.name));
        const vms = ((await rt.list("VirtualMachine")) as VirtualMachineObject[]).filter(
          (v) => v.spec.host === undefined || up.has(v.spec.host),
        );
        expect(vms.filter((v) => v.status.haRestart !== null).map((v) => `${v.name} ${v.status.haRestart!.state}`)).toEqual([]);
        for (const v of vms.filter((v) => protectedVictims.includes(v.name))) expect(v.status.powerState, `${v.name} was lost`).toBe("on");
      }
    }
  } finally {
    await rt.close();
  }
}

describe("HA under random failures", () => {
  it("keeps its invariants and loses no protected VM while one host failure could be tolerated", async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, opsArb, (w, ops) => checkSequence(w, ops)),
      { numRuns: 80 },
    );
  });

  // Counterexamples fast-check found, kept as named cases (seed in the name).
  it("seed -2006393714: a migration, a crash HA absorbs, then an isolation with response none", async () => {
    const plain = { memRes: 0, cpuRes: 0, priority: "disabled" as const, disk: false };
    const w: World = {
      response: "none",
      hostMemory: [16384, 65536, 16384, 32768],
      vms: [{ ...plain, memRes: 8192, priority: "highest" }, plain, plain, { ...plain, memRes: 8192, priority: "low" }, plain],
    };
    await checkSequence(w, [{ migrate: 3, to: 2 }, { crash: 1, settle: true }, { isolate: 0 }]);
  });

  it("gives the same events for the same sequence", async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, opsArb, async (w, ops) => {
        const logs: string[] = [];
        for (let i = 0; i < 2; i++) {
          const rt = await build(w);
          for (const op of ops) await run(rt, w, op);
          logs.push(JSON.stringify(await rt.events()));
          await rt.close();
        }
        expect(logs[1]).toBe(logs[0]);
      }),
      { numRuns: 20 },
    );
  });
});
