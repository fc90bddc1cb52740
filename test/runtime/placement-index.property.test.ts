/**
 * Placement through the host index decides what the plain walk over every host decides: on random
 * inventories (hosts of several sizes, some in maintenance or failed, some HA failover hosts, some
 * with reservations already taken, several hypervisors) and random sequences of VMs placed one after
 * the other, each placed VM charged to its host and the index told, the two results are equal whole:
 * host, score, breakdown, feasible count, or the rejections.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { benchHost } from "../../bench/hosts";
import { VmSpec } from "../../schema/virtual-machine";
import { hostWithFootprint } from "../../runtime/core/allocation/accounting";
import { footprintOf, guestCostOnHost } from "../../runtime/core/guests/vm-footprint";
import type { HostRecord } from "../../runtime/core/kernel/model";
import { type PlacementPurpose, place, placementRequest } from "../../runtime/core/placement/framework";
import { PlacementHostIndex } from "../../runtime/core/placement/host-index";
import { DEFAULT_PROFILE } from "../../runtime/core/placement/profile";
import { NO_RULES } from "../../runtime/core/rules/constraints";

// Hosts of a few common sizes as well as odd ones: equal hosts tie on their bounds, where a walk that stops too early shows.
const hostArb = fc.record({
  cores: fc.oneof(fc.constantFrom(12, 16), fc.integer({ min: 2, max: 16 })),
  memoryGb: fc.oneof(fc.constantFrom(256, 512), fc.integer({ min: 4, max: 512 })),
  hypervisor: fc.constantFrom("esx", "esx", "kvm", "xen"),
  state: fc.constantFrom("connected", "connected", "connected", "maintenance", "failed"),
  failover: fc.boolean(),
  reservedMemoryMb: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 65536 })),
  entitledCpuMhz: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40000 })),
});
const vmArb = fc.record({
  vcpus: fc.integer({ min: 1, max: 8 }),
  memoryMb: fc.oneof(fc.integer({ min: 256, max: 8192 }), fc.integer({ min: 256, max: 65536 })),
  guestOs: fc.constantFrom("linux", "windows"),
  cpuReservationMhz: fc.constantFrom(0, 0, 500, 4000),
  memoryReservationMb: fc.constantFrom(0, 0, 1024, 16384),
  demand: fc.integer({ min: 0, max: 8000 }),
  purpose: fc.constantFrom<PlacementPurpose>("powerOn", "powerOn", "restart", "migration"),
  pinned: fc.option(fc.nat(), { freq: 8 }),
});

type HostDraw = typeof hostArb extends fc.Arbitrary<infer T> ? T : never;

function host(i: number, h: HostDraw): HostRecord {
  const base = benchHost(`h${String(i).padStart(2, "0")}`, "bench", h.cores, h.memoryGb * 1024);
  const spec = { ...base.spec, hypervisor: h.hypervisor as HostRecord["spec"]["hypervisor"] };
  return {
    ...base,
    spec,
    status: {
      ...base.status,
      state: h.state as HostRecord["status"]["state"],
      haFailoverHost: h.failover,
      memoryReservedMb: Math.min(h.reservedMemoryMb, base.status.memoryCapacityMb),
      cpuEntitlementMhz: h.entitledCpuMhz,
    },
  };
}

describe("placement host index", () => {
  it("decides what the walk over every host decides", () => {
    let placed = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.array(hostArb, { minLength: 1, maxLength: 20 }),
        fc.array(vmArb, { minLength: 1, maxLength: 40 }),
        (hostDraws, vmDraws) => {
          let hosts = hostDraws.map((h, i) => host(i, h));
          const index = new PlacementHostIndex(DEFAULT_PROFILE, hosts);
          vmDraws.forEach((v, n) => {
            const spec = VmSpec.parse({
              cluster: "bench",
              vcpus: v.vcpus,
              memoryMb: v.memoryMb,
              guestOs: v.guestOs,
              cpu: { reservationMhz: v.cpuReservationMhz },
              memory: { reservationMb: v.memoryReservationMb },
              ...(v.pinned === null ? {} : { host: hosts[v.pinned % hosts.length].name }),
            });
            const req = () => placementRequest(`vm${n}`, spec, v.purpose, v.demand, NO_RULES);
            const plain = place(DEFAULT_PROFILE, req(), hosts);
            expect(index.place(req())).toEqual(plain);
            expect(index.all).toEqual(hosts);
            if (!plain.placed) {
              refused++;
              return;
            }
            placed++;
            const at = hosts.findIndex((h) => h.name === plain.host);
            const cost = guestCostOnHost(spec, hosts[at].spec)!;
            const changed = hostWithFootprint(hosts[at], footprintOf(spec, plain.host, "bench", cost), 1);
            hosts = hosts.map((h, i) => (i === at ? changed : h));
            index.update(changed);
          });
        },
      ),
      { seed: 20261207, numRuns: 200 },
    );
    // The draws place VMs and refuse some: both sides of a decision are compared.
    expect(placed).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(0);
  });
});
