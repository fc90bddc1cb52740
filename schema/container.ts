import { z } from "zod";
import { MAX_CPU_MHZ, Name, RestartPrioritySetting } from "./common";

/** A dotted-quad IPv4 address without leading zeros (leading zeros read as octal to some tools). */
export const Ipv4 = z.string().regex(/^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/, {
  message: "must be an IPv4 address such as 10.0.0.1",
});

/** An RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
const Hostname = z
  .string()
  .max(253)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, {
    message: "must be a host name: labels of letters, digits and inner hyphens separated by dots",
  });

/** What the processes inside ask for: CPU demand, and runnable threads (the most CPUs they can use at once). */
export const ContainerWorkload = z.strictObject({
  cpuDemandMhz: z.number().min(0).max(MAX_CPU_MHZ).optional().describe("CPU the processes want now, in MHz [0]"),
  threads: z
    .int()
    .min(1)
    .max(100_000)
    .optional()
    .describe("Runnable threads: the container never gets more CPUs than this; absent: no bound but the host's"),
});
export type ContainerWorkload = z.infer<typeof ContainerWorkload>;

/**
 * CPU controls of both container schedulers; each reads its own. OpenVZ/Virtuozzo: `units`
 * (cpuunits, a weight among running containers), `limitPercent` (cpulimit, percent of one CPU),
 * `cpus` (CPUs visible). Solaris zones: `shares` (FSS zone.cpu-shares, 1 when absent), `cappedCpus`
 * (capped-cpu ncpus), `dedicatedCpus` (dedicated-cpu ncpus), `pool` (a resource pool of the host).
 */
export const ContainerCpu = z
  .strictObject({
    units: z.int().min(8).max(500_000).default(1000).describe("OpenVZ/Virtuozzo cpuunits: weight among the host's busy containers"),
    limitPercent: z
      .number()
      .positive()
      .max(100 * 4096)
      .optional()
      .describe("OpenVZ/Virtuozzo cpulimit: hard cap in percent of one CPU (two CPUs = 200)"),
    cpus: z.int().min(1).max(4096).optional().describe("OpenVZ/Virtuozzo: CPUs the container sees, a bound on its parallelism"),
    shares: z
      .int()
      .min(0)
      .max(65_535)
      .optional()
      .describe("Solaris zone.cpu-shares for the fair share scheduler [1]; 0: runs only on CPU nobody with shares wants"),
    cappedCpus: z
      .number()
      .min(0.01)
      .max(4096)
      .optional()
      .describe("Solaris capped-cpu ncpus: absolute cap (1.25 = 125% of one CPU), binding even when CPUs are idle"),
    dedicatedCpus: z
      .int()
      .min(1)
      .max(4096)
      .optional()
      .describe("Solaris dedicated-cpu ncpus: the zone's own processor set; not with shares, cappedCpus or pool"),
    pool: Name.optional().describe("Solaris resource pool (one of the host's cpuPools) the zone is bound to; absent: pool_default"),
  })
  .superRefine((cpu, ctx) => {
    // Solaris zonecfg(1M): dedicated-cpu cannot be combined with capped-cpu, cpu-shares or pool.
    if (cpu.dedicatedCpus === undefined) return;
    for (const field of ["cappedCpus", "shares", "pool"] as const) {
      if (cpu[field] !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: `${field} cannot be combined with dedicatedCpus: a zone with dedicated CPUs owns its processor set, so it is neither capped, weighted nor bound to a pool`,
        });
      }
    }
  });
export type ContainerCpu = z.infer<typeof ContainerCpu>;

/** A Solaris project inside a zone: its shares divide the zone's CPU among the zone's projects. */
export const ContainerProject = z.strictObject({
  name: Name.describe("Project name, unique in the zone"),
  shares: z.int().min(0).max(65_535).default(1).describe("project.cpu-shares: weight among the zone's busy projects"),
  workload: ContainerWorkload.prefault({}).describe("The project's demand and threads"),
});

export const ContainerSpec = z
  .strictObject({
    cluster: Name.optional().describe("Cluster to place the container in (or set host)"),
    host: Name.optional().describe(
      "Host to run on (a must-run pin); changing it moves a running container by checkpoint/restore (zones: detach/attach), which takes simulated time",
    ),
    template: Name.describe("OS template the container is created from: a declared Template or a built-in one"),
    apps: z.array(Name).default([]).describe("App templates added to the container; each must suit the OS template"),
    memoryMb: z
      .int()
      .min(16)
      .max(64 * 1024 * 1024)
      .describe("Memory limit in MB (OpenVZ physpages, zone capped-memory), held on the host with a 2% overhead"),
    diskGb: z
      .number()
      .positive()
      .max(1024 * 1024)
      .describe("Disk quota in GB (the private area or zonepath)"),
    ipAddresses: z.array(Ipv4).default([]).describe("IPv4 addresses, unique across the runtime"),
    ipFrom: Ipv4.optional().describe("Instead of ipAddresses: the lowest free address at or after this one, kept for the container's life"),
    hostname: Hostname.optional().describe("Host name inside the container"),
    state: z.enum(["running", "stopped"]).default("running").describe("Whether the container runs"),
    cpu: ContainerCpu.prefault({}).describe(
      "CPU controls: cpuunits and cpulimit on OpenVZ/Virtuozzo, FSS shares, caps, dedicated CPUs and pools on zones",
    ),
    workload: ContainerWorkload.prefault({}).describe("What the processes ask for"),
    projects: z.array(ContainerProject).default([]).describe("Solaris projects in the zone: project shares divide the zone's CPU"),
    haRestartPriority: RestartPrioritySetting.optional().describe("HA restart priority; absent: the cluster's"),
  })
  .superRefine((c, ctx) => {
    if (c.cluster === undefined && c.host === undefined) {
      ctx.addIssue({ code: "custom", path: ["cluster"], message: "either cluster or host is required" });
    }
    c.ipAddresses.forEach((ip, i) => {
      if (c.ipAddresses.indexOf(ip) !== i) ctx.addIssue({ code: "custom", path: ["ipAddresses", i], message: `${ip} is listed twice` });
    });
    if (c.ipFrom !== undefined && c.ipAddresses.length > 0) {
      ctx.addIssue({ code: "custom", path: ["ipFrom"], message: "give either ipAddresses or ipFrom, not both" });
    }
    c.apps.forEach((app, i) => {
      if (c.apps.indexOf(app) !== i) ctx.addIssue({ code: "custom", path: ["apps", i], message: `${app} is listed twice` });
    });
    c.projects.forEach((p, i) => {
      if (c.projects.findIndex((q) => q.name === p.name) !== i)
        ctx.addIssue({ code: "custom", path: ["projects", i, "name"], message: `project ${p.name} is listed twice` });
    });
    if (c.projects.length > 0 && c.workload.cpuDemandMhz !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["workload", "cpuDemandMhz"],
        message: "a zone with projects takes its demand from them: set it per project",
      });
    }
  });
export type ContainerSpec = z.infer<typeof ContainerSpec>;
export type ContainerSpecInput = z.input<typeof ContainerSpec>;

export const ContainerMigration = z.object({
  fromHost: z.string(),
  toHost: z.string(),
  kind: z.enum(["checkpointRestore", "detachAttach"]),
  totalSeconds: z.number(),
  downtimeMs: z.number(),
  transferredMb: z.number(),
  completedAtSeconds: z.number(),
});

/** A move under way: the container runs on `fromHost` (down for `downtimeFromSeconds` onwards) while `toHost` holds its footprint. */
export const ContainerMigrationInFlight = z
  .object({
    kind: z.enum(["checkpointRestore", "detachAttach"]),
    fromHost: z.string(),
    toHost: z.string(),
    startedAtSeconds: z.number(),
    completesAtSeconds: z.number(),
    downtimeFromSeconds: z
      .number()
      .describe("When the container stops serving: the freeze of a checkpoint/restore, the halt (the start) of a detach/attach"),
    expected: ContainerMigration.omit({ completedAtSeconds: true }).describe(
      "What the move model predicts: copied on landing to lastMigration",
    ),
  })
  .describe("The move in flight, or null");
export type ContainerMigrationInFlight = z.infer<typeof ContainerMigrationInFlight>;

export const ContainerStatus = z.object({
  observedGeneration: z.int(),
  cluster: z.string().nullable(),
  currentHost: z.string().nullable(),
  state: z.enum(["running", "stopped"]),
  /** native, or lx for a Linux template in a branded Solaris zone; null while stopped. */
  brand: z.enum(["native", "lx"]).nullable(),
  ipAddresses: z.array(z.string()),
  cpuDemandMhz: z.number(),
  /** What the host's container scheduler (cpuunits or FSS) gives the container now, in MHz. */
  cpuEntitlementMhz: z.number(),
  /** Per project (zones with projects). */
  projectEntitlementsMhz: z.record(z.string(), z.number()),
  /** Host memory the container costs beyond its own limit: the kernel-sharing overhead. */
  overheadMemoryMb: z.number(),
  migrations: z.int(),
  lastMigration: ContainerMigration.nullable(),
  /** Set while a move is in flight (a changed host pin, or maintenance evacuating its host); null otherwise. */
  migration: ContainerMigrationInFlight.nullable().describe(
    "The move in flight: from and to which host, since and until when; null when none",
  ),
  /** Set while HA owes the container a restart: it went down with `fromHost` and waits for room. */
  haRestart: z.object({ fromHost: z.string(), downSinceSeconds: z.number(), pendingReason: z.string().nullable() }).nullable(),
});
export type ContainerStatus = z.infer<typeof ContainerStatus>;
