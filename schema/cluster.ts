import { z } from "zod";
import { MAX_ADVANCE_SECONDS, MAX_CPU_MHZ, MAX_HOST_COUNT, MAX_RATE_MBPS, Name, RestartPrioritySetting } from "./common";

/**
 * Distributed Power Management: hosts go to standby when every connected host is below
 * `lowUtilizationPercent` and come back when one rises above `highUtilizationPercent`. The defaults
 * are vSphere's target utilization of 63% with a tolerance of 18 points.
 */
export const DpmSettings = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "vSphere DPM: put idle hosts in standby and power them back on under load; acts only when automationLevel is fullyAutomated",
      ),
    lowUtilizationPercent: z
      .int()
      .min(1)
      .max(99)
      .default(45)
      .describe("A host goes to standby once every connected host is below this utilization (largest of CPU and memory entitlement, %)"),
    highUtilizationPercent: z
      .int()
      .min(2)
      .max(100)
      .default(81)
      .describe("A standby host is powered back on when a connected host rises above this utilization (%); evacuations stay below it"),
    minHostsOn: z.int().min(1).max(MAX_HOST_COUNT).default(1).describe("DPM never leaves fewer connected hosts than this"),
  })
  .refine((d) => d.lowUtilizationPercent < d.highUtilizationPercent, {
    message: "lowUtilizationPercent must be below highUtilizationPercent",
    path: ["lowUtilizationPercent"],
  });

export type DpmSettings = z.infer<typeof DpmSettings>;

export const DrsSettings = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe("vSphere DRS: rule corrections and load balancing by live migration; false: passes only compute entitlements and usage"),
  automationLevel: z
    .enum(["manual", "partiallyAutomated", "fullyAutomated"])
    .default("fullyAutomated")
    .describe(
      "fullyAutomated migrates VMs (DrsMigrated); manual and partiallyAutomated only recommend (DrsRecommended); placement is always automatic",
    ),
  migrationThreshold: z
    .int()
    .min(1)
    .max(5)
    .default(3)
    .describe("vSphere DRS migration threshold: 1 applies only mandatory moves, 5 the smallest improvements (target imbalance 0)"),
  intervalSeconds: z
    .int()
    .min(1)
    .max(MAX_ADVANCE_SECONDS)
    .default(300)
    .describe("Simulated seconds between DRS passes (vSphere: 5 minutes); workloads are sampled at each pass"),
  maxMovesPerPass: z.int().min(1).max(1000).default(16).describe("Load-balancing moves per pass at most (mandatory moves are not counted)"),
  /**
   * A load-balancing move must close at least this much load gap: moving a VM that holds a fraction d
   * of its host onto a host g lower in normalized entitlement closes d * (g - d). Measured this way
   * (not as the imbalance's own drop) the threshold means the same in a cluster of 4 or 4,000 hosts.
   */
  minGain: z
    .number()
    .min(0)
    .max(1)
    .default(0.001)
    .describe("Smallest load gap (in normalized entitlement) a load-balancing move must close to be made"),
  demandTolerancePercent: z
    .number()
    .min(0)
    .max(50)
    .optional()
    .describe(
      "A periodic pass keeps a VM's last CPU demand sample while a new one is within this % of it, so the VM is not rewritten; absent or 0: every sample is kept exactly",
    ),
  vmCooldownSeconds: z
    .int()
    .min(0)
    .max(MAX_ADVANCE_SECONDS)
    .default(900)
    .describe("A VM DRS moved is left out of load balancing and preference fixes this many seconds, against thrashing"),
  dpm: DpmSettings.prefault({}).describe("Distributed Power Management: standby for hosts while the cluster is lightly loaded"),
  containerMoves: z
    .enum(["off", "checkpointRestore", "withDowntime"])
    .default("checkpointRestore")
    .describe(
      "Load balancing of container hosts: checkpointRestore moves OpenVZ/Virtuozzo containers live (a pause of seconds); withDowntime also moves Solaris zones by detach/attach, down for the whole move; off: DRS moves no container",
    ),
  balanceBy: z
    .enum(["vmHappiness", "imbalance"])
    .default("vmHappiness")
    .describe(
      "vSphere 7 DRS: vmHappiness first moves VMs off hosts that cannot give them what they demand (raising the VM DRS scores of the unhappiest), then balances load without lowering any host's modelled score; imbalance: load balancing by the standard deviation alone (vSphere 6)",
    ),
});
export type DrsSettings = z.infer<typeof DrsSettings>;

export const AdmissionControlSettings = z
  .strictObject({
    policy: z
      .enum(["slotPolicy", "resourcePercentage", "failoverHosts", "disabled"])
      .default("resourcePercentage")
      .describe("vSphere HA admission control policy: how power-ons are held back so that failed hosts' VMs can restart"),
    hostFailuresToTolerate: z
      .int()
      .min(0)
      .max(MAX_HOST_COUNT)
      .default(1)
      .describe(
        "slotPolicy: host failures to keep slots for; resourcePercentage: sets the percentages when cpuPercent/memoryPercent are absent",
      ),
    cpuPercent: z
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe(
        "resourcePercentage: cluster CPU kept unreserved for failover (%); absent: the share of the hostFailuresToTolerate largest hosts",
      ),
    memoryPercent: z
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe("resourcePercentage: cluster memory kept unreserved for failover (%); absent: computed as for cpuPercent"),
    failoverHosts: z
      .array(Name)
      .default([])
      .describe("failoverHosts policy: hosts kept free for HA restarts (no power-on, migration or DRS placement onto them)"),
    vmCpuMinMhz: z
      .int()
      .min(1)
      .max(MAX_CPU_MHZ)
      .default(32)
      .describe("MHz counted for a powered-on VM without a CPU reservation, in slot size and percentages (vSphere's default 32 MHz)"),
  })
  .superRefine((a, ctx) => {
    // A setting the chosen policy would ignore is a mistake worth saying, not something to drop silently.
    const onlyFor = (field: "cpuPercent" | "memoryPercent" | "failoverHosts", policy: string, given: boolean) => {
      if (given && a.policy !== policy)
        ctx.addIssue({ code: "custom", path: [field], message: `applies only to policy ${policy} (the policy is ${a.policy})` });
    };
    onlyFor("cpuPercent", "resourcePercentage", a.cpuPercent !== undefined);
    onlyFor("memoryPercent", "resourcePercentage", a.memoryPercent !== undefined);
    onlyFor("failoverHosts", "failoverHosts", a.failoverHosts.length > 0);
    const twice = a.failoverHosts.find((h, i) => a.failoverHosts.indexOf(h) !== i);
    if (twice !== undefined) ctx.addIssue({ code: "custom", path: ["failoverHosts"], message: `names host ${twice} twice` });
  });

/**
 * VM Monitoring (vSphere Availability 6.7, "VM and Application Monitoring"; API ClusterVmToolsMonitoringSettings:
 * failureInterval 30 s, minUpTime 120 s, maxFailures 3; the High sensitivity's reset window of 1 h).
 */
export const VmMonitoringSettings = z.strictObject({
  enabled: z.boolean().default(false).describe("HA resets a VM whose guest stops sending heartbeats (VM Monitoring); needs ha.enabled"),
  failureIntervalSeconds: z.int().min(1).max(86_400).default(30).describe("Seconds without heartbeats before HA resets the VM"),
  minUptimeSeconds: z
    .int()
    .min(0)
    .max(86_400)
    .default(120)
    .describe("After a power-on or reset, heartbeats are not checked for this long while the guest boots"),
  maxResets: z.int().min(1).max(1000).default(3).describe("Resets per window at most; then HA leaves the VM as it is (VmMonitoringGaveUp)"),
  maxResetsWindowSeconds: z
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(3600)
    .describe("The window maxResets counts over"),
});

export const HaSettings = z.strictObject({
  enabled: z
    .boolean()
    .default(false)
    .describe("vSphere HA: restart the VMs of a failed host on the others, enforce admission control and the isolation response"),
  restartPriority: RestartPrioritySetting.default("medium").describe(
    "Default restart order of the cluster's VMs (highest first; disabled: not restarted); a VM's haRestartPriority overrides it",
  ),
  isolationResponse: z
    .enum(["none", "powerOff", "shutdown"])
    .default("none")
    .describe(
      "What an isolated host does with its VMs 30 s after isolation: none keeps them on; powerOff or shutdown frees them for HA restart",
    ),
  admissionControl: AdmissionControlSettings.prefault({}).describe(
    "HA admission control: refuses power-ons that would leave too little failover capacity",
  ),
  vmMonitoring: VmMonitoringSettings.prefault({}).describe("VM Monitoring: reset VMs whose guest heartbeats stop"),
});

/**
 * Live migration: the link between hosts and the pre-copy parameters. The defaults are Xen's
 * (xc_linux_save.c: 500 Mbit/s cap, 29 iterations, 3x memory, 50 pages; Clark et al., NSDI 2005,
 * section 5.1: first round at 100 Mbit/s, each later one at the dirtying rate + 50 Mbit/s). resumeMs
 * is the mean of the two restart times Clark et al. report (9 ms for SPECweb99, 40 ms for Quake 3).
 */
export const MigrationSettings = z
  .strictObject({
    bandwidthMbps: z
      .int()
      .min(1)
      .max(MAX_RATE_MBPS)
      .default(1000)
      .describe("Migration link between hosts in Mbit/s (vMotion network); caps every round and carries cold disk copies"),
    firstRoundMbps: z
      .number()
      .positive()
      .max(MAX_RATE_MBPS)
      .default(100)
      .describe("Rate of the first pre-copy round in Mbit/s (Xen's minimum rate)"),
    rateIncrementMbps: z
      .number()
      .min(0)
      .max(MAX_RATE_MBPS)
      .default(50)
      .describe("Each later round runs at the observed dirtying rate plus this, in Mbit/s (Xen)"),
    maxRateMbps: z
      .number()
      .positive()
      .max(MAX_RATE_MBPS)
      .default(500)
      .describe("Cap on the pre-copy rate in Mbit/s (Xen's maximum rate); stop-and-copy runs at the full link"),
    maxIterations: z.int().min(1).max(1000).default(29).describe("Pre-copy stops after this many rounds (Xen's max_iters)"),
    maxFactor: z
      .number()
      .min(1)
      .max(1000)
      .default(3)
      .describe("Pre-copy stops once more than this many times the VM's memory has been sent (Xen's max_factor)"),
    stopPages: z
      .int()
      .min(0)
      .max(2 ** 32)
      .default(50)
      .describe("Pre-copy stops once fewer than this many 4 KiB pages are left to send"),
    resumeMs: z
      .number()
      .min(0)
      .max(3_600_000)
      .default(25)
      .describe("Fixed part of the downtime in ms: suspend, device and network switch-over on the target"),
  })
  .refine((m) => m.firstRoundMbps <= m.maxRateMbps, { message: "firstRoundMbps must not exceed maxRateMbps", path: ["firstRoundMbps"] });

export type MigrationSettings = z.infer<typeof MigrationSettings>;

/** EVC baselines (VMware KB 1003212), oldest first per vendor; their features: runtime/core/cpu/evc.ts. */
export const EvcMode = z.enum([
  "intel-merom",
  "intel-penryn",
  "intel-nehalem",
  "intel-westmere",
  "intel-sandybridge",
  "intel-haswell",
  "amd-rev-e",
  "amd-rev-f",
  "amd-greyhound-no3dnow",
  "amd-greyhound",
]);
export type EvcMode = z.infer<typeof EvcMode>;

export const EvcSettings = z.strictObject({
  mode: EvcMode.describe(
    "Enhanced vMotion Compatibility baseline: guests see this generation's CPU features on every host, so VMs live-migrate between hosts of different generations of one vendor",
  ),
});

export const ClusterSpec = z.strictObject({
  drs: DrsSettings.prefault({}).describe("Distributed Resource Scheduler: keeps rules and balances load across the cluster's hosts"),
  ha: HaSettings.prefault({}).describe("High Availability: restarts after host failure and admission control"),
  migration: MigrationSettings.prefault({}).describe("Live migration: the link between hosts and Xen's pre-copy parameters"),
  evc: EvcSettings.optional().describe(
    "Enhanced vMotion Compatibility; absent: off, a VM live-migrates only to a host with every feature of its source",
  ),
});
export type ClusterSpec = z.infer<typeof ClusterSpec>;
export type ClusterSpecInput = z.input<typeof ClusterSpec>;

/** One migration DRS made or recommends. */
export const DrsMove = z.object({
  /** The VM moved, or the container when `kind` is Container. */
  vm: z.string(),
  kind: z.enum(["VirtualMachine", "Container"]).optional(),
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
  /**
   * Mean VM DRS score (0-100) of the running VMs as the pass models it (drs/happiness.ts): when the
   * pass started, after the moves it applied, and once its recommendations are applied too.
   * Absent in states recorded before the figure existed.
   */
  vmScoreBefore: z.number().optional(),
  vmScore: z.number().optional(),
  projectedVmScore: z.number().optional(),
  /** Running VMs per VM DRS score range (vSphere 7's histogram), derived when the cluster is shown. */
  vmScoreBuckets: z.record(z.string(), z.int()).optional(),
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
