import type { HostRecord } from "../../kernel/model";
import type { PlacementPlugin } from "../framework";
import { guestOnHost } from "../guest-on-host";

/**
 * A host's load once a VM is added: the largest of four ratios, reserved CPU and memory over
 * capacity and committed vCPUs and memory over the host's cores and memory, so that unreserved
 * VMs spread as well as reserved ones.
 */
export function projectedLoad(
  host: HostRecord,
  cpuReservationMhz: number,
  memoryReservationMb: number,
  vcpus: number,
  memoryMb: number,
): number {
  const s = host.status;
  const cores = host.spec.cpu.sockets * host.spec.cpu.coresPerSocket;
  return Math.max(
    (s.cpuReservedMhz + cpuReservationMhz) / s.cpuCapacityMhz,
    (s.memoryReservedMb + memoryReservationMb) / s.memoryCapacityMb,
    (s.vcpusCommitted + vcpus) / cores,
    (s.memoryCommittedMb + memoryMb) / s.memoryCapacityMb,
  );
}

/** Prefers the host that stays least loaded once the VM is added. */
export const balance: PlacementPlugin = {
  name: "Balance",
  score(req, host) {
    const on = guestOnHost(host, req);
    return 100 / (1 + projectedLoad(host, on.cpuNeedMhz, on.memoryNeedMb, req.spec.vcpus, req.spec.memoryMb));
  },
};
