import type { HostRecord } from "../../kernel/model";
import type { PlacementPlugin } from "../plugin";
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
  return loadAfter(
    s.cpuReservedMhz + cpuReservationMhz,
    s.cpuCapacityMhz,
    s.memoryReservedMb + memoryReservationMb,
    s.memoryCapacityMb,
    s.vcpusCommitted + vcpus,
    coresOf(host),
    s.memoryCommittedMb + memoryMb,
  );
}

/** The host's cores, over which committed vCPUs count as load. */
export function coresOf(host: HostRecord): number {
  return host.spec.cpu.sockets * host.spec.cpu.coresPerSocket;
}

/** projectedLoad from the host's totals with the VM added (shared with the host table, which keeps the totals in columns). */
export function loadAfter(
  cpuReservedMhz: number,
  cpuCapacityMhz: number,
  memoryReservedMb: number,
  memoryCapacityMb: number,
  vcpusCommitted: number,
  cores: number,
  memoryCommittedMb: number,
): number {
  return Math.max(
    cpuReservedMhz / cpuCapacityMhz,
    memoryReservedMb / memoryCapacityMb,
    vcpusCommitted / cores,
    memoryCommittedMb / memoryCapacityMb,
  );
}

/** The Balance score of a host whose load would be `load` with the VM. */
export function balanceScore(load: number): number {
  return 100 / (1 + load);
}

/** Prefers the host that stays least loaded once the VM is added. */
export const balance: PlacementPlugin = {
  name: "Balance",
  score(req, host) {
    const on = guestOnHost(host, req);
    return balanceScore(projectedLoad(host, on.cpuNeedMhz, on.memoryNeedMb, req.spec.vcpus, req.spec.memoryMb));
  },
};
