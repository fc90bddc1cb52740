/**
 * Host usage refreshed from the per-host sums (usage-ledger.ts) must be exactly what walking every VM
 * of the host gives: after any sequence of operations, a walk over each host's VMs finds nothing to
 * change, in VMs or hosts. Workloads with fractional demand, diurnal and bursty profiles, small hosts
 * and pinned VMs (contention), and maintenance moves exercise both the sums and the fallback to the walk.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { vmClaims } from "../../runtime/core/allocation/vm-claims";
import type { HostRecord, VmRecord, World } from "../../runtime/core/kernel/model";
import { Txn } from "../../runtime/core/kernel/txn";
import { applyHostUsage } from "../../runtime/core/vms/vm-usage";
import { LocalRuntime } from "../../runtime/local-runtime";
import { SqliteStore } from "../../runtime/store/sqlite";
import { cluster, esxHost, vm } from "../support/fixtures";

const HOSTS = ["h1", "h2", "h3"];
const VMS = ["v1", "v2", "v3", "v4", "v5", "v6"];
/** Small hosts, so that a few VMs contend for them. */
const smallHost = (name: string, maintenance = false) =>
  esxHost(name, "prod", {
    memoryMb: 32768,
    maintenance,
    cpu: { sockets: 1, coresPerSocket: 4, mhz: 2000, vendor: "intel", features: ["vmx", "ept", "lm"] },
  });

type Op =
  | { vm: { name: string; spec: Record<string, unknown> } }
  | { remove: string }
  | { advance: number }
  | { maintenance: [string, boolean] };

const vmOp: fc.Arbitrary<Op> = fc
  .record({
    name: fc.constantFrom(...VMS),
    on: fc.boolean(),
    host: fc.option(fc.constantFrom(...HOSTS), { nil: undefined }),
    memoryMb: fc.constantFrom(2048, 8192, 16384),
    demand: fc.option(fc.oneof(fc.integer({ min: 0, max: 30000 }), fc.double({ min: 0, max: 30000, noNaN: true })), { nil: undefined }),
    active: fc.option(fc.integer({ min: 0, max: 16384 }), { nil: undefined }),
    profile: fc.constantFrom("constant", "diurnal", "bursty"),
    memRes: fc.constantFrom(0, 1024),
  })
  .map((v) => ({
    vm: {
      name: v.name,
      spec: {
        powerState: v.on ? "on" : "off",
        ...(v.host ? { host: v.host } : {}),
        memoryMb: v.memoryMb,
        memory: { reservationMb: v.memRes },
        ...(v.demand === undefined && v.active === undefined
          ? {}
          : { workload: { profile: v.profile, cpuDemandMhz: v.demand, activeMemoryMb: v.active } }),
      },
    },
  }));

const ops = fc.array(
  fc.oneof(
    { arbitrary: vmOp, weight: 5 },
    { arbitrary: fc.constantFrom(...VMS).map((name): Op => ({ remove: name })), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 7200 }).map((s): Op => ({ advance: s })), weight: 2 },
    { arbitrary: fc.tuple(fc.constantFrom(...HOSTS), fc.boolean()).map((m): Op => ({ maintenance: m })), weight: 1 },
  ),
  { minLength: 5, maxLength: 40 },
);

/** What a walk over every host's VMs would still change: nothing when the stored usage is right. */
function walkChanges(world: World): string[] {
  const txn = new Txn(world);
  for (const host of world.list("Host") as HostRecord[]) {
    const vms = txn.relatedObjects<VmRecord>("vmsOnHost", host.name);
    applyHostUsage(txn, host, vms, vms.map(vmClaims));
  }
  return txn.changes().puts.map((o) => `${o.kind}/${o.name}`);
}

describe("host usage from the usage sums", () => {
  it("equals a walk over every VM of every host after any sequence of operations", async () => {
    let attempted = 0;
    let committed = 0;
    await fc.assert(
      fc.asyncProperty(ops, async (sequence) => {
        const store = new SqliteStore(":memory:", { seed: 7 });
        const rt = new LocalRuntime(store);
        await rt.apply(cluster("prod", { drs: { automationLevel: "fullyAutomated", intervalSeconds: 300 } }));
        for (const h of HOSTS) await rt.apply(smallHost(h));
        for (const op of sequence) {
          attempted++;
          try {
            if ("vm" in op) await rt.apply(vm(op.vm.name, op.vm.spec));
            else if ("remove" in op) await rt.delete("VirtualMachine", op.remove);
            else if ("advance" in op) await rt.advance(op.advance);
            else await rt.apply(smallHost(...op.maintenance));
            committed++;
          } catch {
            // A refused operation changes nothing; the property is about what was committed.
          }
          expect(await store.read(walkChanges)).toEqual([]);
        }
        await rt.close();
      }),
      { numRuns: 60 },
    );
    // Most operations must commit, or the property says little.
    expect(committed).toBeGreaterThan(attempted / 2);
  });

  it("raises the usage of the VMs left on a host whose contention a removal ends", async () => {
    const store = new SqliteStore(":memory:", { seed: 7 });
    const rt = new LocalRuntime(store);
    await rt.apply(cluster("prod"));
    await rt.apply(smallHost("h1"));
    // Three VMs wanting 14,000 MB each on a 32,768 MB host: memory is divided among them.
    for (const name of ["a", "b", "c"]) await rt.apply(vm(name, { host: "h1", memoryMb: 16384, workload: { activeMemoryMb: 14000 } }));
    const before = (await rt.get("VirtualMachine", "a"))!.status as { memoryUsedMb: number };
    expect(before.memoryUsedMb).toBeLessThan(14000);
    await rt.delete("VirtualMachine", "c");
    for (const name of ["a", "b"])
      expect(((await rt.get("VirtualMachine", name))!.status as { memoryUsedMb: number }).memoryUsedMb).toBe(14000);
    expect(((await rt.get("Host", "h1"))!.status as { memoryUsedMb: number }).memoryUsedMb).toBe(28000);
    expect(await store.read(walkChanges)).toEqual([]);
    await rt.close();
  });
});
