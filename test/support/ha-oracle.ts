/**
 * HA figures recomputed from scratch: the demand (powered-on VMs and VMs waiting for an HA restart)
 * summed over the VM list, to check the totals the world keeps incrementally.
 */
import type { ClusterHaStatus } from "../../schema/cluster";
import { haFigures } from "../../runtime/core/ha/admission-control";
import type { DemandTotals } from "../../runtime/core/ha/demand";
import type { Inventory } from "./oracle";

export function recomputedDemand(inv: Inventory, cluster: string): DemandTotals {
  const vms = inv.vms.filter(
    (v) => v.status.cluster === cluster && ((v.status.powerState === "on" && v.status.currentHost !== null) || v.status.haRestart),
  );
  const cpu = vms.map((v) => v.spec.cpu.reservationMhz);
  // Memory overhead as recorded for the host each VM runs on, or last ran on while it awaits a restart.
  const memory = vms.map((v) => v.spec.memory.reservationMb + v.status.overheadMemoryMb);
  return {
    vms: vms.length,
    cpuMhz: cpu.reduce((a, b) => a + b, 0),
    vmsWithoutCpuReservation: cpu.filter((c) => c === 0).length,
    memoryMb: memory.reduce((a, b) => a + b, 0),
    largestCpuMhz: Math.max(0, ...cpu),
    largestMemoryMb: Math.max(0, ...memory),
  };
}

/** Differences between a cluster's `status.ha` figures and those recomputed from the inventory. */
export function haMismatches(inv: Inventory): string[] {
  return inv.clusters.flatMap((c) => {
    const hosts = inv.hosts
      .filter((h) => h.spec.cluster === c.name && h.status.state === "connected")
      .map((h) => ({ name: h.name, cpuMhz: h.status.cpuCapacityMhz, memoryMb: h.status.memoryCapacityMb }));
    const expected = haFigures(c.spec, hosts, recomputedDemand(inv, c.name));
    const { restartsInProgress: _r, pendingRestarts: _p, ...actual } = c.status.ha as ClusterHaStatus;
    return JSON.stringify(actual) === JSON.stringify(expected)
      ? []
      : [`cluster ${c.name}: stored ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`];
  });
}
