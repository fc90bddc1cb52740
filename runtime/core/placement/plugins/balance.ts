import type { PlacementPlugin } from "../framework";

/**
 * Prefers the host that stays least loaded once the VM is added. Load is the largest of four
 * ratios: reserved CPU and memory over capacity, and committed vCPUs and memory over the host's
 * cores and memory, so unreserved VMs spread as well as reserved ones.
 */
export const balance: PlacementPlugin = {
  name: "Balance",
  score(req, host) {
    const s = host.status;
    const cores = host.spec.cpu.sockets * host.spec.cpu.coresPerSocket;
    const load = Math.max(
      (s.cpuReservedMhz + req.cpuReservationMhz) / s.cpuCapacityMhz,
      (s.memoryReservedMb + req.memoryReservationMb) / s.memoryCapacityMb,
      (s.vcpusCommitted + req.spec.vcpus) / cores,
      (s.memoryCommittedMb + req.spec.memoryMb) / s.memoryCapacityMb,
    );
    return 100 / (1 + load);
  },
};
