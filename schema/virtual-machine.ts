import { z } from "zod";
import { CpuAllocation, MemoryAllocation, Name } from "./common";

export const GuestOs = z.enum(["linux", "windows", "solaris", "netware", "freebsd", "netbsd"]);
export type GuestOs = z.infer<typeof GuestOs>;

export const VirtualizationMode = z.enum(["auto", "full", "paravirtual", "hardware"]);

export const VmDisk = z.strictObject({
  datastore: Name,
  sizeGb: z.number().positive(),
});

export const VmWorkload = z.strictObject({
  cpuDemandMhz: z.number().min(0).optional(),
  activeMemoryMb: z.number().min(0).optional(),
  dirtyRateMbps: z.number().min(0).optional(),
});

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

/** Where a VM stands in an HA restart after its host failed or was isolated. */
export const HaRestart = z.object({
  /**
   * awaitingRestart: down, restarted when the failure is declared and its priority's turn comes;
   * pendingRestart: no host could take it, restarted as soon as capacity returns;
   * restarting: powered on again on a surviving host, its guest still booting.
   */
  state: z.enum(["awaitingRestart", "pendingRestart", "restarting"]),
  fromHost: z.string(),
  downSinceSeconds: z.number(),
  /** When HA may restart it: once the failure is declared, or at once after an isolation response powered it off. */
  eligibleAtSeconds: z.number(),
  /** restarting: when the guest is up. */
  readyAtSeconds: z.number().nullable(),
  /** pendingRestart: why no host could take it. */
  pendingReason: z.string().nullable(),
});
export type HaRestart = z.infer<typeof HaRestart>;

export const VmStatus = z.object({
  observedGeneration: z.int(),
  cluster: z.string().nullable(),
  currentHost: z.string().nullable(),
  powerState: z.enum(["on", "off"]),
  /** The mode resolved on the current host; null while powered off. */
  virtualization: z.enum(["full", "paravirtual", "hardware"]).nullable(),
  overheadMemoryMb: z.number(),
  cpuEntitlementMhz: z.number(),
  memoryEntitlementMb: z.number(),
  cpuUsedMhz: z.number(),
  migrations: z.int(),
  lastMigration: MigrationRecord.nullable(),
  haRestart: HaRestart.nullable(),
});
export type VmStatus = z.infer<typeof VmStatus>;

/** The contract names schemas after their kinds; `VmSpec` is the short form used in code. */
export const VirtualMachineSpec = VmSpec;
export const VirtualMachineStatus = VmStatus;
