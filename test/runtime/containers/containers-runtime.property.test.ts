/**
 * Invariants of containers through the runtime, over random sequences of applies and deletes (fixed
 * addresses, ipFrom allocations, moves between hosts, stops, time passing) on a small address range:
 * no address is ever held by two containers, each host holds exactly the memory of the containers
 * running on it or moving onto it, and a refused operation changes nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ContainerObject, type HostObject, type Runtime, openRuntime } from "../../../runtime";

const address = fc.integer({ min: 1, max: 12 }).map((n) => `10.9.0.${n}`);
const name = fc.constantFrom("a", "b", "c", "d", "e");
const op = fc.oneof(
  fc.record({
    op: fc.constant("fixed" as const),
    name,
    addresses: fc.uniqueArray(address, { minLength: 1, maxLength: 2 }),
    host: fc.constantFrom("vz1", "vz2", undefined),
  }),
  fc.record({ op: fc.constant("from" as const), name, from: address, state: fc.constantFrom("running", "stopped") }),
  fc.record({ op: fc.constant("delete" as const), name }),
  fc.record({ op: fc.constant("advance" as const), seconds: fc.constantFrom(1, 10, 30) }),
);

async function snapshot(rt: Runtime) {
  return JSON.stringify([await rt.list("Container"), await rt.list("Host")]);
}

describe("containers through the runtime", () => {
  it("never share an address, and hosts hold exactly their running containers' memory", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const rt = await openRuntime({ path: ":memory:" });
        try {
          await rt.apply({ kind: "Cluster", name: "c", spec: {} });
          for (const h of ["vz1", "vz2"]) {
            await rt.apply({
              kind: "Host",
              name: h,
              spec: {
                cluster: "c",
                hypervisor: "openvz",
                cpu: { coresPerSocket: 2, mhz: 2000, vendor: "intel", features: ["lm"] },
                memoryMb: 2048,
              },
            });
          }
          for (const o of ops) {
            const before = await snapshot(rt);
            const spec = { cluster: "c", template: "centos-5-x86_64", memoryMb: 400, diskGb: 1 };
            if (o.op === "advance") {
              await rt.advance(o.seconds);
              continue;
            }
            const attempt =
              o.op === "delete"
                ? rt.delete("Container", o.name)
                : rt.apply({
                    kind: "Container",
                    name: o.name,
                    spec:
                      o.op === "fixed" ? { ...spec, ipAddresses: o.addresses, host: o.host } : { ...spec, ipFrom: o.from, state: o.state },
                  });
            const refused = await attempt.then(
              () => false,
              (e: { code?: string }) => (expect(e.code).toMatch(/^(Conflict|NotFound|InsufficientCapacity)$/), true),
            );
            if (refused) expect(await snapshot(rt)).toBe(before);
            const containers = (await rt.list("Container")) as ContainerObject[];
            const held = containers.flatMap((c) => c.status.ipAddresses);
            expect(new Set(held).size).toBe(held.length);
            for (const h of (await rt.list("Host")) as HostObject[]) {
              const here = containers.filter((c) => c.status.currentHost === h.name);
              expect(h.status.containers).toEqual(here.map((c) => c.name));
              // A container moving here is held here already (and still on its source).
              const arriving = containers.filter((c) => c.status.migration?.toHost === h.name);
              expect(h.status.memoryReservedMb).toBe((here.length + arriving.length) * 408);
            }
          }
        } finally {
          await rt.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("DRS and containers", () => {
  // DRS reads a container host's load from its containers (containers/container-usage.ts), so the cluster's
  // imbalance shows containers crowded on one host; it moves none of them.
  it("counts container load in the cluster's imbalance", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    try {
      await rt.apply({ kind: "Cluster", name: "c", spec: {} });
      for (const h of ["vz1", "vz2"]) {
        await rt.apply({
          kind: "Host",
          name: h,
          spec: {
            cluster: "c",
            hypervisor: "openvz",
            cpu: { coresPerSocket: 4, mhz: 2000, vendor: "intel", features: ["lm"] },
            memoryMb: 8192,
          },
        });
      }
      const idle = (await rt.runDrs("c")) as { status: { drs: { imbalance: number } } };
      expect(idle.status.drs.imbalance).toBe(0);
      for (const n of ["a", "b"]) {
        await rt.apply({
          kind: "Container",
          name: n,
          spec: { host: "vz1", template: "centos-5-x86_64", memoryMb: 1024, diskGb: 1, workload: { cpuDemandMhz: 3000, threads: 2 } },
        });
      }
      const busy = (await rt.runDrs("c")) as { status: { drs: { imbalance: number; moves: unknown[] } } };
      expect(busy.status.drs.imbalance).toBeGreaterThan(0.2);
      expect(busy.status.drs.moves).toEqual([]);
    } finally {
      await rt.close();
    }
  });
});
