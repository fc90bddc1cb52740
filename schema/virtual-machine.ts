import { z } from "zod";
import { CpuAllocation, MemoryAllocation, Name } from "./common";

export const GuestOs = z.enum(["linux", "windows", "solaris", "netware", "freebsd", "netbsd"]);
export type GuestOs = z.infer<typeof GuestOs>;

export const VirtualizationMode = z.enum(["auto", "full", "paravirtual", "hardware"]);

export const VmDisk = z.strictObject({
  datastore: Name,
  sizeGb: z.number().positive(),
});

export const WorkloadProfile = z.enum(["constant", "diurnal", "bursty"]);

/**
 * What the guest asks for. `cpuDemandMhz` is the level the profile shapes over simulated time:
 * constant keeps it; diurnal swings it by +-`amplitude` over a day, peaking at `peakHour`; bursty
 * multiplies it by `burstFactor` in a sample with probability `burstProbability` (seeded).
 */
export const VmWorkload = z
  .strictObject({
    profile: WorkloadProfile.default("constant"),
    cpuDemandMhz: z.number().min(0).optional(),
    activeMemoryMb: z.number().min(0).optional(),
    dirtyRateMbps: z.number().min(0).optional(),
    /** diurnal: fraction of cpuDemandMhz the demand swings by [0.5]. */
    amplitude: z.number().min(0).max(1).optional(),
    /** diurnal: hour of the simulated day with the highest demand [14]. */
    peakHour: z.number().min(0).max(24).optional(),
    /** bursty: chance per sample of a burst [0.1]. */
    burstProbability: z.number().min(0).max(1).optional(),
    /** bursty: demand multiplier during a burst [3]. */
    burstFactor: z.number().min(1).max(100).optional(),
  })
  .superRefine((w, ctx) => {
    const owners = { amplitude: "diurnal", peakHour: "diurnal", burstProbability: "bursty", burstFactor: "bursty" } as const;
    for (const [field, profile] of Object.entries(owners)) {
      if (w[field as keyof typeof owners] !== undefined && w.profile !== profile) {
        ctx.addIssue({ code: "custom", path: [field], message: `${field} applies to the ${profile} profile, not ${w.profile}` });
      }
    }
  });
export type VmWorkload = z.infer<typeof VmWorkload>;

export const VmSpec = z
  .strictObject({
    cluster: Name.optional(),
    /** Pinning to a host is a must-run placement. */
    host: Name.optional(),
    pool: Name.optional(),
    vcpus: z.int().min(1).max(768),
    memoryMb: z.int().min(4).max(24 * 1024 * 1024),
    guestOs: GuestOs,
    guestArch: z.enum(["x86", "x86_64"]).default("x86_64"),
    virtualization: VirtualizationMode.default("auto"),
    powerState: z.enum(["on", "off"]).default("on"),
    cpu: CpuAllocation.prefault({}),
    memory: MemoryAllocation.prefault({}),
    disks: z.array(VmDisk).default([]),
    haRestartPriority: z.enum(["disabled", "lowest", "low", "medium", "high", "highest"]).optional(),
    workload: VmWorkload.optional(),
    /** Overrides the modelled per-VM memory overhead. */
    memoryOverheadMb: z.number().min(0).optional(),
  })
  .superRefine((vm, ctx) => {
    if (vm.cluster === undefined && vm.host === undefined) {
      ctx.addIssue({ code: "custom", path: ["cluster"], message: "either cluster or host is required" });
    }
    if (vm.pool !== undefined && vm.cluster === undefined) {
      ctx.addIssue({ code: "custom", path: ["pool"], message: "a pool belongs to a cluster: set cluster too" });
    }
  });
export type VmSpec = z.infer<typeof VmSpec>;
export type VmSpecInput = z.input<typeof VmSpec>;

export const MigrationRecord = z.object({
  fromHost: z.string(),
  toHost: z.string(),
  totalSeconds: z.number(),
  downtimeMs: z.number(),
  rounds: z.number(),
  transferredMb: z.number(),
});

export const VmStatus = z.object({
  observedGeneration: z.int(),
  cluster: z.string().nullable(),
  currentHost: z.string().nullable(),
  powerState: z.enum(["on", "off"]),
  /** The mode resolved on the current host; null while powered off. */
  virtualization: z.enum(["full", "paravirtual", "hardware"]).nullable(),
  overheadMemoryMb: z.number(),
  /** CPU demand now, as the workload profile gives it at the last sample. */
  cpuDemandMhz: z.number(),
  /** What the VM deserves: cluster capacity divided over the pool tree by shares, within reservation, limit and demand. */
  cpuEntitlementMhz: z.number(),
  memoryEntitlementMb: z.number(),
  /** What it gets on its host now. */
  cpuUsedMhz: z.number(),
  memoryUsedMb: z.number(),
  /** DRS leaves the VM where it is until this time (after a DRS move); null when free to move. */
  drsCooldownUntilSeconds: z.number().nullable(),
  migrations: z.int(),
  lastMigration: MigrationRecord.nullable(),
});
export type VmStatus = z.infer<typeof VmStatus>;

/** The contract names schemas after their kinds; `VmSpec` is the short form used in code. */
export const VirtualMachineSpec = VmSpec;
export const VirtualMachineStatus = VmStatus;
