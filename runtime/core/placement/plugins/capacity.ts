import type { PlacementPlugin } from "../plugin";
import { guestOnHost } from "../guest-on-host";

/**
 * Reservations must fit the host's unreserved capacity, each with the hypervisor's overhead on that
 * host (memory overhead; the CPU it spends delivering the reserved CPU). Configured memory and vCPUs
 * may be overcommitted, as on ESX; only the guarantees are hard.
 */
export const capacity: PlacementPlugin = {
  name: "Capacity",
  filter(req, host) {
    const s = host.status;
    const cpuFree = s.cpuCapacityMhz - s.cpuReservedMhz;
    const memFree = s.memoryCapacityMb - s.memoryReservedMb;
    const { cpuNeedMhz: cpuNeed, memoryNeedMb: memNeed } = guestOnHost(host, req);
    const cpuShort = cpuNeed > cpuFree;
    const memShort = memNeed > memFree;
    if (!cpuShort && !memShort) return undefined;
    const parts: string[] = [];
    if (cpuShort) parts.push(`needs ${cpuNeed} MHz reserved CPU (incl. overhead), ${cpuFree} MHz unreserved`);
    if (memShort) parts.push(`needs ${memNeed} MB reserved memory (incl. overhead), ${memFree} MB unreserved`);
    return { code: "InsufficientCapacity", reason: parts.join(", ") };
  },
};
