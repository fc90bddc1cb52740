import type { PlacementPlugin } from "../framework";

/**
 * Reservations (memory: plus overhead) must fit the host's unreserved capacity. Configured memory
 * and vCPUs may be overcommitted, as on ESX; only the guarantees are hard.
 */
export const capacity: PlacementPlugin = {
  name: "Capacity",
  filter(req, host) {
    const s = host.status;
    const cpuFree = s.cpuCapacityMhz - s.cpuReservedMhz;
    const memFree = s.memoryCapacityMb - s.memoryReservedMb;
    const cpuShort = req.cpuReservationMhz > cpuFree;
    const memShort = req.memoryReservationMb > memFree;
    if (!cpuShort && !memShort) return undefined;
    const parts: string[] = [];
    if (cpuShort) parts.push(`needs ${req.cpuReservationMhz} MHz reserved CPU, ${cpuFree} MHz unreserved`);
    if (memShort) parts.push(`needs ${req.memoryReservationMb} MB reserved memory (incl. overhead), ${memFree} MB unreserved`);
    return { code: "InsufficientCapacity", reason: parts.join(", ") };
  },
};
