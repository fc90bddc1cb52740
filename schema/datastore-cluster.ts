import { z } from "zod";
import { Name } from "./common";

/** Datastores one datastore cluster may hold (vSphere 5.x-8.x: 64 per datastore cluster). */
export const MAX_DATASTORES_PER_CLUSTER = 64;
/** Storage DRS pass interval bounds: 60 minutes to 30 days (vSphere API StorageDrsConfigInfo.loadBalanceInterval). */
export const MIN_STORAGE_DRS_INTERVAL_SECONDS = 3600;
export const MAX_STORAGE_DRS_INTERVAL_SECONDS = 30 * 86400;

/**
 * Storage DRS (vSphere API StorageDrsPodConfigInfo; defaults and bounds as there): manual publishes
 * recommendations, fullyAutomated starts the disk migrations itself.
 */
export const StorageDrsSettings = z.strictObject({
  automationLevel: z
    .enum(["manual", "fullyAutomated"])
    .default("manual")
    .describe("manual: moves are recommended in status; fullyAutomated: Storage DRS starts the storage migrations itself"),
  spaceThresholdPercent: z
    .int()
    .min(50)
    .max(100)
    .default(80)
    .describe("A datastore whose used space exceeds this percentage of its capacity has disks moved off it (50-100)"),
  ioLatencyThresholdMs: z
    .int()
    .min(5)
    .max(100)
    .default(15)
    .describe("I/O latency threshold in ms (5-100); kept for the API's shape: the model has no I/O load, so no move is made for latency"),
  intervalSeconds: z
    .int()
    .min(MIN_STORAGE_DRS_INTERVAL_SECONDS)
    .max(MAX_STORAGE_DRS_INTERVAL_SECONDS)
    .default(28800)
    .describe("Seconds of simulated time between Storage DRS passes (3600 to 30 days; vSphere's default is 8 hours)"),
});
export type StorageDrsSettings = z.infer<typeof StorageDrsSettings>;

/** Rules one datastore cluster may hold, and VMs one rule may name. */
export const MAX_STORAGE_RULES = 256;
export const MAX_VMS_PER_STORAGE_RULE = 64;

/**
 * An inter-VM anti-affinity rule (vSphere API VirtualDiskAntiAffinityRuleSpec's VM form, "VM
 * anti-affinity" in the vSphere Resource Management guide's Storage DRS rules): the named VMs' disks
 * in this datastore cluster are kept on different datastores.
 */
export const StorageAntiAffinityRule = z.strictObject({
  name: Name.describe("The rule's name, unique in the datastore cluster"),
  vms: z
    .array(Name)
    .min(2)
    .max(MAX_VMS_PER_STORAGE_RULE)
    .refine((names) => new Set(names).size === names.length, { message: "must not name a VM twice" })
    .describe("VirtualMachine objects (2-64) whose disks in the datastore cluster stay on different datastores"),
});
export type StorageAntiAffinityRule = z.infer<typeof StorageAntiAffinityRule>;

/** A datastore cluster (vSphere storage pod): datastores pooled for disk placement and Storage DRS. */
export const DatastoreClusterSpec = z.strictObject({
  datastores: z
    .array(Name)
    .min(1)
    .max(MAX_DATASTORES_PER_CLUSTER)
    .refine((names) => new Set(names).size === names.length, { message: "must not name a datastore twice" })
    .describe("Member Datastore objects (1-64); a datastore belongs to at most one datastore cluster"),
  storageDrs: StorageDrsSettings.prefault({}).describe("Storage DRS: when and how disks are moved between the members"),
  antiAffinityRules: z
    .array(StorageAntiAffinityRule)
    .max(MAX_STORAGE_RULES)
    .default([])
    .refine((rules) => new Set(rules.map((r) => r.name)).size === rules.length, { message: "must not name a rule twice" })
    .describe("VM anti-affinity rules: each keeps its VMs' disks in the datastore cluster on different datastores"),
});
export type DatastoreClusterSpec = z.infer<typeof DatastoreClusterSpec>;
export type DatastoreClusterSpecInput = z.input<typeof DatastoreClusterSpec>;

/** A move Storage DRS recommends (manual) or last started (fullyAutomated): a VM's disks in the cluster, together. */
export const StorageDrsMove = z.object({
  vm: z.string(),
  fromDatastore: z.string(),
  toDatastore: z.string(),
  sizeGb: z.number(),
  reason: z.string(),
});
export type StorageDrsMove = z.infer<typeof StorageDrsMove>;

export const DatastoreClusterStatus = z.object({
  observedGeneration: z.int(),
  /** Sums over the members. */
  capacityGb: z.number(),
  freeGb: z.number(),
  /** Each member's used space in percent of its capacity, by name. */
  usedPercent: z.record(z.string(), z.number()),
  /** Moves of the last pass still to be made (manual). */
  recommendations: z.array(StorageDrsMove),
  /** Anti-affinity rules broken now: the rule, and the datastore its VMs share. */
  violations: z.array(z.object({ rule: z.string(), datastore: z.string(), vms: z.array(z.string()) })).optional(),
  /** Storage migrations the last pass started (fullyAutomated). */
  lastMoves: z.array(StorageDrsMove),
  lastPassSeconds: z.number().nullable(),
});
export type DatastoreClusterStatus = z.infer<typeof DatastoreClusterStatus>;
