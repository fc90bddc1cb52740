import { z } from "zod";
import { MAX_STORAGE_GB } from "./common";

export const DatastoreType = z.enum(["nfs", "iscsi", "fc", "local"]);
export type DatastoreType = z.infer<typeof DatastoreType>;

/** Storage that hosts mount (`Host.datastores`) and VM disks live on. Shared when more than one host mounts it. */
export const DatastoreSpec = z.strictObject({
  type: DatastoreType.describe("nfs (files: image disks only), iscsi or fc (block LUNs), or local (one host's own disk, never shared)"),
  capacityGb: z.number().positive().max(MAX_STORAGE_GB).describe("Size in GB: the VM disks on it, powered on or not, must fit"),
});
export type DatastoreSpec = z.infer<typeof DatastoreSpec>;
export type DatastoreSpecInput = z.input<typeof DatastoreSpec>;

export const DatastoreStatus = z.object({
  observedGeneration: z.int(),
  /** Sum of the sizes of the VM disks on the datastore, powered on or not. */
  usedGb: z.number(),
  freeGb: z.number(),
  /** Hosts that mount it, and the VMs with a disk on it. */
  hosts: z.array(z.string()),
  vms: z.array(z.string()),
  shared: z.boolean(),
});
export type DatastoreStatus = z.infer<typeof DatastoreStatus>;
