import { z } from "zod";
import { Name, PoolCpuAllocation, PoolMemoryAllocation } from "./common";

export const ResourcePoolSpec = z.strictObject({
  cluster: Name.describe("Cluster whose capacity the pool divides"),
  parent: Name.optional().describe("Parent pool, in the same cluster; absent: a child of the cluster's root"),
  cpu: PoolCpuAllocation.prefault({}).describe("CPU shares, reservation and limit of the pool as a whole (vSphere resource pool)"),
  memory: PoolMemoryAllocation.prefault({}).describe("Memory shares, reservation and limit of the pool as a whole"),
});
export type ResourcePoolSpec = z.infer<typeof ResourcePoolSpec>;
export type ResourcePoolSpecInput = z.input<typeof ResourcePoolSpec>;

export const ResourcePoolStatus = z.object({
  observedGeneration: z.int(),
  cpuReservationUsedMhz: z.number(),
  cpuUnreservedMhz: z.number(),
  memoryReservationUsedMb: z.number(),
  memoryUnreservedMb: z.number(),
  pools: z.array(z.string()),
  vms: z.array(z.string()),
});
export type ResourcePoolStatus = z.infer<typeof ResourcePoolStatus>;
