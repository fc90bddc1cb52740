import { z } from "zod";
import { Name } from "./common";

export const RestartPriority = z.enum(["lowest", "low", "medium", "high", "highest"]);

/**
 * Distributed Power Management: hosts go to standby when every connected host is below
 * `lowUtilizationPercent` and come back when one rises above `highUtilizationPercent`. The defaults
 * are vSphere's target utilization of 63% with a tolerance of 18 points.
 */
export const DpmSettings = z
  .strictObject({
    enabled: z.boolean().default(false),
    lowUtilizationPercent: z.int().min(1).max(99).default(45),
    highUtilizationPercent: z.int().min(2).max(100).default(81),
    /** DPM never leaves fewer connected hosts than this. */
    minHostsOn: z.int().min(1).default(1),
  })
  .refine((d) => d.lowUtilizationPercent < d.highUtilizationPercent, {
    message: "lowUtilizationPercent must be below highUtilizationPercent",
    path: ["lowUtilizationPercent"],
  });

export type DpmSettings = z.infer<typeof DpmSettings>;

export const DrsSettings = z.strictObject({
  enabled: z.boolean().default(true),
  automationLevel: z.enum(["manual", "partiallyAutomated", "fullyAutomated"]).default("fullyAutomated"),
  /** 1 applies only mandatory moves; 5 accepts the smallest improvements. */
  migrationThreshold: z.int().min(1).max(5).default(3),
  intervalSeconds: z.int().min(1).default(300),
  /** Load-balancing moves per pass at most (mandatory moves are not counted). */
  maxMovesPerPass: z.int().min(1).max(1000).default(16),
  /**
   * A load-balancing move must close at least this much load gap: moving a VM that holds a fraction d
   * of its host onto a host g lower in normalized entitlement closes d * (g - d). Measured this way
   * (not as the imbalance's own drop) the threshold means the same in a cluster of 4 or 4,000 hosts.
   */
  minGain: z.number().min(0).max(1).default(0.001),
  /** A VM that DRS moved stays put for this long: no thrashing back and forth. */
  vmCooldownSeconds: z.int().min(0).default(900),
  dpm: DpmSettings.prefault({}),
});
export type DrsSettings = z.infer<typeof DrsSettings>;

export const AdmissionControlSettings = z.strictObject({
  policy: z.enum(["slotPolicy", "resourcePercentage", "failoverHosts", "disabled"]).default("resourcePercentage"),
  hostFailuresToTolerate: z.int().min(0).default(1),
  cpuPercent: z.int().min(0).max(100).optional(),
  memoryPercent: z.int().min(0).max(100).optional(),
  failoverHosts: z.array(Name).default([]),
  vmCpuMinMhz: z.int().min(1).default(32),
});

export const HaSettings = z.strictObject({
  enabled: z.boolean().default(false),
  restartPriority: RestartPriority.default("medium"),
  isolationResponse: z.enum(["none", "powerOff", "shutdown"]).default("none"),
  admissionControl: AdmissionControlSettings.prefault({}),
});

/**
 * Live migration: the link between hosts and the pre-copy parameters. The defaults are Xen's
 * (xc_linux_save.c: 500 Mbit/s cap, 29 iterations, 3x memory, 50 pages; Clark et al., NSDI 2005,
 * section 5.1: first round at 100 Mbit/s, each later one at the dirtying rate + 50 Mbit/s). resumeMs
 * is the mean of the two restart times Clark et al. report (9 ms for SPECweb99, 40 ms for Quake 3).
 */
export const MigrationSettings = z
  .strictObject({
    bandwidthMbps: z.int().min(1).default(1000),
    firstRoundMbps: z.number().positive().default(100),
    rateIncrementMbps: z.number().min(0).default(50),
    maxRateMbps: z.number().positive().default(500),
    maxIterations: z.int().min(1).max(1000).default(29),
    maxFactor: z.number().min(1).default(3),
    /** Pre-copy stops once fewer than this many 4 KiB pages are left to send. */
    stopPages: z.int().min(0).default(50),
    /** Fixed part of the downtime: suspend, device and network switch-over on the target. */
    resumeMs: z.number().min(0).default(25),
  })
  .refine((m) => m.firstRoundMbps <= m.maxRateMbps, { message: "firstRoundMbps must not exceed maxRateMbps", path: ["firstRoundMbps"] });

export type MigrationSettings = z.infer<typeof MigrationSettings>;

export const ClusterSpec = z.strictObject({
  drs: DrsSettings.prefault({}),
  ha: HaSettings.prefault({}),
  migration: MigrationSettings.prefault({}),
});
export type ClusterSpec = z.infer<typeof ClusterSpec>;
export type ClusterSpecInput = z.input<typeof ClusterSpec>;

/** One migration DRS made or recommends. */
export const DrsMove = z.object({
  vm: z.string(),
  fromHost: z.string(),
  toHost: z.string(),
  /** 1 mandatory (rules, maintenance) .. 5 smallest improvement; applied when <= migrationThreshold. */
  priority: z.int().min(1).max(5),
  reason: z.string(),
});
export type DrsMove = z.infer<typeof DrsMove>;

/** What the last DRS pass saw and did. Imbalance: population standard deviation, see docs/architecture.md. */
export const DrsStatus = z.object({
  /** Simulated time of the last pass; null before the first. */
  lastPassSeconds: z.number().nullable(),
  /** Imbalance when the pass started. */
  imbalanceBefore: z.number(),
  /** Imbalance after the moves the pass applied. */
  imbalance: z.number(),
  /** Imbalance once the recommendations are applied too. */
  projectedImbalance: z.number(),
  targetImbalance: z.number(),
  cpuImbalance: z.number(),
  memoryImbalance: z.number(),
  /** Moves applied by the last pass. */
  moves: z.array(DrsMove),
  /** Moves the last pass recommends but did not apply (manual, partiallyAutomated). */
  recommendations: z.array(DrsMove),
  /** Rule violations the pass could not correct, each with why. */
  unresolved: z.array(z.string()),
  /** One sentence on why the pass stopped where it did. */
  summary: z.string(),
});
export type DrsStatus = z.infer<typeof DrsStatus>;

/** HA admission control arithmetic, as the vSphere Availability guide computes it (see runtime/core/ha). */
export const ClusterHaStatus = z.object({
  policy: AdmissionControlSettings.shape.policy.unwrap(),
  /** Whether power-ons that would break the policy are refused: HA enabled and a policy other than disabled. */
  enforced: z.boolean(),
  hostFailuresToTolerate: z.int(),
  /** Slot policy: the largest CPU reservation (vmCpuMinMhz for a VM without one) and memory reservation plus overhead. */
  slotCpuMhz: z.number(),
  slotMemoryMb: z.number(),
  slotsPerHost: z.record(z.string(), z.int()),
  totalSlots: z.int(),
  /** One slot per powered-on VM (VMs waiting for an HA restart included). */
  usedSlots: z.int(),
  /** Slots left once the slots of the hostFailuresToTolerate largest hosts are set aside. */
  availableSlots: z.int(),
  /** How many hosts, taken from the largest down, can fail with enough slots left for every powered-on VM. */
  currentFailoverCapacity: z.int(),
  /** (capacity - reservations) / capacity of the usable hosts, truncated to an integer as the guide prints it. */
  cpuFailoverPercent: z.int(),
  memoryFailoverPercent: z.int(),
  /** What the percentage policy keeps free: cpuPercent/memoryPercent, or computed from hostFailuresToTolerate. */
  configuredCpuFailoverPercent: z.int(),
  configuredMemoryFailoverPercent: z.int(),
  /** VMs HA is restarting (waiting for their turn or booting), and those waiting for capacity. */
  restartsInProgress: z.int(),
  pendingRestarts: z.int(),
});
export type ClusterHaStatus = z.infer<typeof ClusterHaStatus>;

export const ClusterStatus = z.object({
  observedGeneration: z.int(),
  hosts: z.array(z.string()),
  /** Capacity of the hosts that can run VMs now (connected, not in maintenance, failed or standby). */
  cpuCapacityMhz: z.number(),
  memoryCapacityMb: z.number(),
  cpuReservationUsedMhz: z.number(),
  memoryReservationUsedMb: z.number(),
  cpuUnreservedMhz: z.number(),
  memoryUnreservedMb: z.number(),
  drs: DrsStatus,
  ha: ClusterHaStatus,
});
export type ClusterStatus = z.infer<typeof ClusterStatus>;
