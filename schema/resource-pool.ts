import { z } from "zod";
import { Name, PoolCpuAllocation, PoolMemoryAllocation } from "./common";

export const ResourcePoolSpec = z.strictObject({
  cluster: Name,
  parent: Name.optional(),
  cpu: PoolCpuAllocation.prefault({}),
  memory: PoolMemoryAllocation.prefault({}),
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
