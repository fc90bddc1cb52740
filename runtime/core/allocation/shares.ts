/**
 * Share presets (vSphere Resource Management guide, "Resource Allocation Shares"): per vCPU
 * high/normal/low = 2000/1000/500 CPU shares, per MB of configured memory 20/10/5 memory shares. A
 * resource pool counts as a VM with 4 vCPUs and 16 GB. A number is a custom value, used as is.
 */
import type { Shares } from "../../../schema/common";
import type { Dimension } from "./accounting";

const PER_UNIT: Record<Dimension, Record<"low" | "normal" | "high", number>> = {
  cpu: { low: 500, normal: 1000, high: 2000 },
  memory: { low: 5, normal: 10, high: 20 },
};

/** A pool's presets are those of a VM of this size. */
const POOL_SIZE: Record<Dimension, number> = { cpu: 4, memory: 16 * 1024 };

/** Shares of a VM: the preset times its vCPUs (CPU) or configured MB (memory). */
export function vmShares(shares: Shares, dim: Dimension, vcpus: number, memoryMb: number): number {
  return typeof shares === "number" ? shares : PER_UNIT[dim][shares] * (dim === "cpu" ? vcpus : memoryMb);
}

export function poolShares(shares: Shares, dim: Dimension): number {
  return typeof shares === "number" ? shares : PER_UNIT[dim][shares] * POOL_SIZE[dim];
}
