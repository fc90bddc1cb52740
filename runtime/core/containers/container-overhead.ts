/**
 * What a container costs its host beyond its own use. Containers need no hypervisor: the cost is the
 * kernel's per-container bookkeeping (process tables, page tables, network stack, accounting), which
 * the vendors put under 3% (SWsoft, "Virtuozzo: OS virtualization" white paper, and the OpenVZ User's
 * Guide, "OpenVZ Philosophy": a container's overhead is 1-3% of the host's resources). The model
 * takes 2% of the container's memory limit and 2% of its CPU use: an assumption inside that claim.
 */
export const CONTAINER_OVERHEAD = {
  memoryPercent: 2,
  cpuPercent: 2,
  basis: "assumed",
  source: "vendor claim: OS-level virtualization costs under 3% (OpenVZ User's Guide, 'OpenVZ Philosophy'; Virtuozzo white paper)",
} as const;

/** Host memory (whole MB) a container costs beyond its own limit. */
export function containerOverheadMemoryMb(memoryMb: number): number {
  return Math.ceil((memoryMb * CONTAINER_OVERHEAD.memoryPercent) / 100);
}

/** Host CPU (MHz) the kernel spends to deliver `mhz` to a container. */
export function containerOverheadCpuMhz(mhz: number): number {
  return (mhz * CONTAINER_OVERHEAD.cpuPercent) / 100;
}
