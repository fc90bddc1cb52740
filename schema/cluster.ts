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

export const MigrationSettings = z.strictObject({
  bandwidthMbps: z.int().min(1).default(1000),
});

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
});
export type ClusterStatus = z.infer<typeof ClusterStatus>;
