/**
 * Property tests over random operation sequences: the incrementally kept reservation totals always
 * equal a from-scratch recomputation of the vSphere definitions, reservations never exceed capacity,
 * fixed pools and limits hold, a VM runs on at most one host, and the same sequence gives the same events.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ObjectInput, type Runtime, openRuntime } from "../../runtime";
import type { HostObject, ResourcePoolObject, VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, pool, vm } from "../support/fixtures";
import { accountingMismatches, asInventory } from "../support/oracle";

const POOLS = ["p1", "p2", "p3", "p4"];
const VMS = ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"];
const HOSTS = ["h1", "h2", "h3"];

type Op = { apply: ObjectInput } | { delete: { kind: "ResourcePool" | "VirtualMachine" | "Host"; name: string } };

const poolOp: fc.Arbitrary<Op> = fc
  .record({
    name: fc.constantFrom(...POOLS),
    parent: fc.option(fc.constantFrom(...POOLS), { nil: undefined }),
    cpuRes: fc.integer({ min: 0, max: 30000 }),
    memRes: fc.integer({ min: 0, max: 60000 }),
    cpuExp: fc.boolean(),
    memExp: fc.boolean(),
    cpuLimit: fc.option(fc.integer({ min: 30000, max: 60000 }), { nil: undefined }),
  })
  .map((p) => ({
    apply: pool(p.name, {
      ...(p.parent ? { parent: p.parent } : {}),
      cpu: { reservationMhz: p.cpuRes, expandableReservation: p.cpuExp, ...(p.cpuLimit ? { limitMhz: p.cpuLimit } : {}) },
      memory: { reservationMb: p.memRes, expandableReservation: p.memExp },
    }),
  }));

const vmOp: fc.Arbitrary<Op> = fc
  .record({
    name: fc.constantFrom(...VMS),
    pool: fc.option(fc.constantFrom(...POOLS), { nil: undefined }),
    host: fc.option(fc.constantFrom(...HOSTS), { nil: undefined }),
    on: fc.boolean(),
    cpuRes: fc.integer({ min: 0, max: 20000 }),
    memRes: fc.integer({ min: 0, max: 40000 }),
    vcpus: fc.integer({ min: 1, max: 8 }),
  })
  .map((v) => ({
    apply: {
      ...vm(v.name, {
        ...(v.pool ? { pool: v.pool } : {}),
        ...(v.host ? { host: v.host } : {}),
        powerState: v.on ? "on" : "off",
        vcpus: v.vcpus,
        memoryOverheadMb: undefined,
        cpu: { reservationMhz: v.cpuRes },
        memory: { reservationMb: v.memRes },
      }),
    },
  }));

const hostOp: fc.Arbitrary<Op> = fc
  .record({ name: fc.constantFrom(...HOSTS), memoryMb: fc.constantFrom(32768, 65536), maintenance: fc.boolean() })
  .map((h) => ({ apply: esxHost(h.name, "prod", { memoryMb: h.memoryMb, maintenance: h.maintenance }) }));

const deleteOp: fc.Arbitrary<Op> = fc.oneof(
  fc.constantFrom(...VMS).map((name) => ({ delete: { kind: "VirtualMachine" as const, name } })),
  fc.constantFrom(...POOLS).map((name) => ({ delete: { kind: "ResourcePool" as const, name } })),
  fc.constantFrom(...HOSTS).map((name) => ({ delete: { kind: "Host" as const, name } })),
);

const ops = fc.array(
  fc.oneof(
    { arbitrary: vmOp, weight: 4 },
    { arbitrary: poolOp, weight: 2 },
    { arbitrary: hostOp, weight: 1 },
    { arbitrary: deleteOp, weight: 1 },
  ),
  {
    minLength: 1,
    maxLength: 40,
  },
);

async function fresh(): Promise<Runtime> {
  const rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod"));
  for (const h of HOSTS) await rt.apply(esxHost(h));
  return rt;
}

/** Runs an operation; refusals are expected and ignored, anything else fails the test. */
async function attempt(rt: Runtime, op: Op): Promise<void> {
  try {
    if ("apply" in op) await rt.apply(op.apply);
    else await rt.delete(op.delete.kind, op.delete.name);
  } catch (e) {
    if (!(e as { code?: string }).code) throw e;
  }
}

async function snapshot(rt: Runtime) {
  return asInventory({
    Cluster: await rt.list("Cluster"),
    Host: await rt.list("Host"),
    ResourcePool: await rt.list("ResourcePool"),
    VirtualMachine: await rt.list("VirtualMachine"),
  });
}

describe("reservation accounting", () => {
  it("keeps totals equal to a recomputation and within capacity after any sequence", async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (sequence) => {
        const rt = await fresh();
        try {
          for (const op of sequence) {
            await attempt(rt, op);
            const inv = await snapshot(rt);
            expect(accountingMismatches(inv)).toEqual([]);
            for (const h of inv.hosts as HostObject[]) {
              expect(h.status.cpuReservedMhz).toBeLessThanOrEqual(h.status.cpuCapacityMhz);
              expect(h.status.memoryReservedMb).toBeLessThanOrEqual(h.status.memoryCapacityMb);
              // VMs still run on a host they are migrating away from (entering maintenance); never on one that has arrived there.
              if (h.status.state === "maintenance" || h.status.state === "standby") expect(h.status.vms).toEqual([]);
            }
            for (const p of inv.pools as ResourcePoolObject[]) {
              if (!p.spec.cpu.expandableReservation) expect(p.status.cpuReservationUsedMhz).toBeLessThanOrEqual(p.spec.cpu.reservationMhz);
              if (!p.spec.memory.expandableReservation)
                expect(p.status.memoryReservationUsedMb).toBeLessThanOrEqual(p.spec.memory.reservationMb);
              if (p.spec.cpu.limitMhz !== undefined)
                expect(Math.max(p.status.cpuReservationUsedMhz, p.spec.cpu.reservationMhz)).toBeLessThanOrEqual(p.spec.cpu.limitMhz);
            }
            const [c] = inv.clusters;
            expect(c.status.cpuReservationUsedMhz).toBeLessThanOrEqual(c.status.cpuCapacityMhz);
            expect(c.status.memoryReservationUsedMb).toBeLessThanOrEqual(c.status.memoryCapacityMb);
            const placements = (inv.hosts as HostObject[]).flatMap((h) => h.status.vms);
            expect(new Set(placements).size).toBe(placements.length);
            for (const v of inv.vms as VirtualMachineObject[]) {
              if (v.status.powerState === "on") expect(placements.filter((n) => n === v.name)).toHaveLength(1);
              // A pinned VM runs on its pin, or is live-migrating there after the pin changed.
              if (v.spec.host !== undefined && v.status.currentHost !== null)
                expect(v.status.migration?.toHost ?? v.status.currentHost).toBe(v.spec.host);
            }
          }
        } finally {
          await rt.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it("gives the same events for the same sequence", async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (sequence) => {
        const logs: string[] = [];
        for (let run = 0; run < 2; run++) {
          const rt = await fresh();
          for (const op of sequence) await attempt(rt, op);
          logs.push(JSON.stringify(await rt.events()));
          await rt.close();
        }
        expect(logs[1]).toBe(logs[0]);
      }),
      { numRuns: 20 },
    );
  });
});
