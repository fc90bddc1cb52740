import type { PlacementPlugin } from "../plugin";
import { guestOnHost } from "../guest-on-host";

/**
 * DRS's view of load at placement time: prefers the host whose normalized entitlement (entitlements
 * of its VMs over its capacity, CPU and memory averaged) stays lowest once the VM lands with the
 * overhead it would have there, so that initial placement and the DRS passes pursue the same balance.
 */
export const drsBalance: PlacementPlugin = {
  name: "DrsBalance",
  score(req, host) {
    const s = host.status;
    const on = guestOnHost(host, req);
    return drsBalanceScore(
      s.cpuEntitlementMhz + on.cpuEntitlementMhz,
      s.cpuCapacityMhz,
      s.memoryEntitlementMb + on.memoryEntitlementMb,
      s.memoryCapacityMb,
    );
  },
};

/** The DrsBalance score of a host whose entitlements would be these with the VM (shared with the host table). */
export function drsBalanceScore(
  cpuEntitlementMhz: number,
  cpuCapacityMhz: number,
  memoryEntitlementMb: number,
  memoryCapacityMb: number,
): number {
  const cpu = cpuEntitlementMhz / cpuCapacityMhz;
  const memory = memoryEntitlementMb / memoryCapacityMb;
  return 100 * Math.max(0, 1 - (cpu + memory) / 2);
}
