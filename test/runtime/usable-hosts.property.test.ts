/**
 * Each cluster's usable hosts as the ledger keeps them (allocation/usable-hosts.ts) must be what a walk
 * over the cluster's host records gives, in an operation that has changed some hosts and in the world
 * after it commits: hosts joining, leaving and changing clusters, changing state and capacity, removed,
 * and rewritten with their usage only (the common write, which must leave them as they were).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { usableHostsOf } from "../../runtime/core/allocation/usable-hosts";
import type { HostRecord, RuntimeObject, World } from "../../runtime/core/kernel/model";
import { Txn } from "../../runtime/core/kernel/txn";
import { createWorld } from "../../runtime/core/world-setup";

const CLUSTERS = ["a", "b"];
const NAMES = ["h1", "h2", "h3", "h4", "h5"];
const STATES = ["connected", "maintenance", "failed", "standby"] as const;

interface HostChange {
  name: string;
  /** undefined: remove the host. */
  put?: { cluster: string | null; state: (typeof STATES)[number]; cpu: number; memory: number; usage: number };
}

const change: fc.Arbitrary<HostChange> = fc.record(
  {
    name: fc.constantFrom(...NAMES),
    put: fc.record({
      cluster: fc.constantFrom(...CLUSTERS, null),
      state: fc.constantFrom(...STATES),
      cpu: fc.constantFrom(20800, 31200),
      memory: fc.constantFrom(262144, 524288),
      usage: fc.integer({ min: 0, max: 1000 }),
    }),
  },
  { requiredKeys: ["name"] },
);

function host(name: string, p: NonNullable<HostChange["put"]>): RuntimeObject {
  const record = {
    kind: "Host",
    name,
    spec: p.cluster === null ? {} : { cluster: p.cluster },
    status: { state: p.state, cpuCapacityMhz: p.cpu, memoryCapacityMb: p.memory, cpuUsedMhz: p.usage },
    generation: 1,
  };
  return record as unknown as RuntimeObject;
}

/** The walk the ledger stands in for: usable hosts by name, their capacity summed in that order. */
function walked(view: World | Txn, cluster: string) {
  const hosts = (view instanceof Txn ? view.relatedObjects<HostRecord>("hostsInCluster", cluster) : byNames(view, cluster))
    .filter((h) => h.status.state === "connected")
    .map((h) => ({ name: h.name, cpuMhz: h.status.cpuCapacityMhz, memoryMb: h.status.memoryCapacityMb }));
  return {
    hosts,
    cpuMhz: hosts.reduce((s, h) => s + h.cpuMhz, 0),
    memoryMb: hosts.reduce((s, h) => s + h.memoryMb, 0),
  };
}

const byNames = (world: World, cluster: string) =>
  world.relatedSorted("hostsInCluster", cluster).map((n) => world.get("Host", n) as HostRecord);

describe("usable hosts per cluster", () => {
  it("are the walk's, within an operation and after it commits", () => {
    fc.assert(
      fc.property(fc.array(fc.array(change, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 12 }), (operations) => {
        const world = createWorld({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 });
        for (const operation of operations) {
          const txn = new Txn(world);
          for (const c of operation) {
            if (c.put) txn.put(host(c.name, c.put));
            else if (txn.get("Host", c.name)) txn.remove("Host", c.name);
            for (const cluster of CLUSTERS) expect(usableHostsOf(txn, cluster)).toEqual(walked(txn, cluster));
          }
          world.applyChanges(txn.changes());
          for (const cluster of CLUSTERS) expect(usableHostsOf(world, cluster)).toEqual(walked(world, cluster));
        }
      }),
      { numRuns: 300 },
    );
  });
});
