import { z } from "zod";

/**
 * Object names: a letter or digit first, then letters, digits, '.', '_' or '-'; at most 80 characters.
 * This keeps names safe as map keys, file names and URL segments (no spaces, no "__proto__").
 */
export const Name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, {
  message: "must start with a letter or digit and contain only letters, digits, '.', '_' or '-' (at most 80 characters)",
});

/** Share presets as vSphere names them, or a custom number of shares. */
export const Shares = z.union([z.enum(["low", "normal", "high"]), z.int().min(1).max(1_000_000)]);
export type Shares = z.infer<typeof Shares>;

export const NonNegativeInt = z.int().min(0);

/**
 * Documented upper bounds of quantities. Generous for any datacenter, and small enough that sums
 * and products over every object of a state stay finite doubles: a stored number is never
 * Infinity (JSON null) and a refusal never reads "null GB free".
 */
/** CPU in MHz for a reservation, limit or demand: 10^12 (6,000 of the largest hosts, 64 x 256 x 10,000 MHz each). */
export const MAX_CPU_MHZ = 1_000_000_000_000;
/** Memory in MB for a reservation or limit: 2^40 MB (1 EiB). */
export const MAX_MEMORY_MB = 2 ** 40;
/** Storage in GB for a datastore or a disk: 2^30 GB (1 EiB). */
export const MAX_STORAGE_GB = 2 ** 30;
/** A data rate in Mbit/s: 10^7 (10 Tbit/s). */
export const MAX_RATE_MBPS = 10_000_000;
/** Hosts counted in a cluster setting. */
export const MAX_HOST_COUNT = 10_000;

/** A path on a machine: at most 4096 characters (Linux PATH_MAX) and no NUL, which no file name can hold. */
export const FilePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => !path.includes("\0"), { message: "must not contain a NUL character" });

const CpuAllocationFields = z.strictObject({
  shares: Shares.default("normal").describe(
    "CPU weight among siblings under contention: low/normal/high = 500/1000/2000 per vCPU (a pool counts as 4 vCPUs), or a number",
  ),
  reservationMhz: NonNegativeInt.max(MAX_CPU_MHZ)
    .default(0)
    .describe("Guaranteed CPU in MHz, admitted against the parent pool's unreserved CPU (VM: at power-on); 0: no guarantee"),
  limitMhz: z
    .int()
    .min(1)
    .max(MAX_CPU_MHZ)
    .optional()
    .describe("Most CPU in MHz it gets even when more is free (Xen cap, OpenVZ cpulimit); absent: no limit"),
});

const MemoryAllocationFields = z.strictObject({
  shares: Shares.default("normal").describe(
    "Memory weight among siblings under contention: low/normal/high = 5/10/20 per configured MB (a pool counts as 16 GB), or a number",
  ),
  reservationMb: NonNegativeInt.max(MAX_MEMORY_MB)
    .default(0)
    .describe("Guaranteed memory in MB, admitted against the parent pool's unreserved memory (VM: at power-on); 0: no guarantee"),
  limitMb: z
    .int()
    .min(1)
    .max(MAX_MEMORY_MB)
    .optional()
    .describe("Most memory in MB it gets; absent: no limit (a VM never gets more than its memoryMb)"),
});

type Check<T> = [(value: T) => boolean, { message: string; path: string[] }];

const cpuWithinLimit: Check<{ reservationMhz: number; limitMhz?: number }> = [
  (a) => a.limitMhz === undefined || a.reservationMhz <= a.limitMhz,
  { message: "reservationMhz must not exceed limitMhz", path: ["reservationMhz"] },
];

const memoryWithinLimit: Check<{ reservationMb: number; limitMb?: number }> = [
  (a) => a.limitMb === undefined || a.reservationMb <= a.limitMb,
  { message: "reservationMb must not exceed limitMb", path: ["reservationMb"] },
];

/** A VM's CPU allocation: shares, reservation and limit. */
export const CpuAllocation = CpuAllocationFields.refine(...cpuWithinLimit);
export const MemoryAllocation = MemoryAllocationFields.refine(...memoryWithinLimit);

/** A pool's allocation adds whether it may borrow unreserved capacity from its parent. */
const expandableReservation = z
  .boolean()
  .default(true)
  .describe("vSphere expandable reservation: admission may borrow unreserved capacity from the parent; false: only the pool's own");
export const PoolCpuAllocation = CpuAllocationFields.extend({ expandableReservation }).refine(...cpuWithinLimit);
export const PoolMemoryAllocation = MemoryAllocationFields.extend({ expandableReservation }).refine(...memoryWithinLimit);

/** HA restart priorities, lowest to highest; `disabled` VMs are never restarted (vSphere's "Disabled"). */
export const RestartPriority = z.enum(["lowest", "low", "medium", "high", "highest"]);
export const RestartPrioritySetting = z.enum(["disabled", ...RestartPriority.options]);

/**
 * The most simulated time one advance may cover (366 days): the runtime, the CLI and the server
 * refuse more, naming this cap, so one call cannot hold the state for hours.
 */
export const MAX_ADVANCE_SECONDS = 366 * 86_400;
