import { z } from "zod";
import { Name } from "./common";

export const Hypervisor = z.enum(["esx", "virtualServer", "xen", "kvm", "hyperv", "openvz", "virtuozzo", "zones"]);
export type Hypervisor = z.infer<typeof Hypervisor>;

/**
 * The product versions each hypervisor can be modelled as; the first is the default, the version the
 * six-technologies article describes (ESX 3.0, Virtual Server 2005 R2, Xen 3.0). Later versions carry
 * modern guest limits and nested paging. The runtime's profile table (runtime/core/hypervisors) holds
 * what each version can do, with sources.
 */
export const HYPERVISOR_VERSIONS = {
  esx: ["3.0", "4.0", "8.0"],
  virtualServer: ["2005R2"],
  xen: ["3.0", "4.0"],
  kvm: ["current"],
  hyperv: ["2008", "2016"],
  openvz: ["2.6.18"],
  virtuozzo: ["3.5"],
  zones: ["10"],
} as const satisfies Record<Hypervisor, readonly [string, ...string[]]>;
/** The hypervisors modelled in more than one release, as the reference lists them: "esx 3.0/4.0/8.0, ...". */
const MULTI_VERSION = Object.entries(HYPERVISOR_VERSIONS)
  .filter(([, versions]) => versions.length > 1)
  .map(([hypervisor, versions]) => `${hypervisor} ${versions.join("/")}`)
  .join(", ");

export type HypervisorVersion<H extends Hypervisor = Hypervisor> = (typeof HYPERVISOR_VERSIONS)[H][number];

/** The version a host runs: the one its spec names, else its hypervisor's default. */
export function hypervisorVersionOf(spec: { hypervisor: Hypervisor; hypervisorVersion?: string }): HypervisorVersion {
  return (spec.hypervisorVersion ?? HYPERVISOR_VERSIONS[spec.hypervisor][0]) as HypervisorVersion;
}

/**
 * Processor flags. vmx/svm/ept/npt serve the hypervisor; the others are instruction-set extensions a
 * guest sees (runtime/core/cpu/evc.ts: what live migration and EVC compare).
 */
/** The flags a guest sees: what live migration and EVC compare. */
export const GUEST_VISIBLE_CPU_FEATURES = [
  "lm",
  "nx",
  "sse3",
  "ssse3",
  "sse4.1",
  "sse4.2",
  "popcnt",
  "aes",
  "pclmulqdq",
  "avx",
  "avx2",
  "fma",
  "bmi",
  "movbe",
  "sse4a",
  "abm",
  "3dnow",
] as const;

export const CpuFeature = z.enum(["vmx", "svm", "ept", "npt", ...GUEST_VISIBLE_CPU_FEATURES]);
export type CpuFeature = z.infer<typeof CpuFeature>;

/** Features that exist only on one vendor's processors. */
const VENDOR_FEATURES: Record<string, "intel" | "amd"> = {
  vmx: "intel",
  ept: "intel",
  svm: "amd",
  npt: "amd",
  sse4a: "amd",
  "3dnow": "amd",
};

export const HostCpu = z
  .strictObject({
    sockets: z.int().min(1).max(64).default(1).describe("Processor sockets; CPU capacity is sockets x coresPerSocket x mhz"),
    coresPerSocket: z.int().min(1).max(256).describe("Cores per socket; a VM gets at most as many vCPUs as the host has cores"),
    mhz: z.int().min(100).max(10_000).describe("Clock rate of one core in MHz"),
    vendor: z
      .enum(["intel", "amd"])
      .describe("CPU vendor: decides which features exist; binary translation cannot run 64-bit guests on Intel"),
    features: z
      .array(CpuFeature)
      .default([])
      .describe(
        "CPU flags: vmx/svm hardware assist (VT-x/AMD-V), ept/npt nested paging, lm 64-bit (x86_64 guests need it); the rest are instruction-set extensions guests see (live migration and EVC compare them)",
      ),
  })
  .superRefine((cpu, ctx) => {
    cpu.features.forEach((feature, i) => {
      const only = VENDOR_FEATURES[feature];
      if (only && only !== cpu.vendor) {
        ctx.addIssue({
          code: "custom",
          path: ["features", i],
          message: `${feature} is an ${only} feature; the host's vendor is ${cpu.vendor}`,
        });
      }
      if (cpu.features.indexOf(feature) !== i) {
        ctx.addIssue({ code: "custom", path: ["features", i], message: `${feature} is listed twice` });
      }
    });
  });

export const HostSpec = z
  .strictObject({
    cluster: Name.optional().describe("Cluster the host belongs to; absent: a standalone host that runs only VMs pinned to it"),
    hypervisor: Hypervisor.describe(
      "Virtualization product: what guests it runs and how (openvz, virtuozzo and zones run containers only)",
    ),
    hypervisorVersion: z.string().optional().describe(`Release to model (${MULTI_VERSION}; the others have one); absent: the first listed`),
    cpu: HostCpu.describe("Physical processors"),
    memoryMb: z
      .int()
      .min(256)
      .max(64 * 1024 * 1024)
      .describe("Physical memory in MB, all of it for guests: hypervisor overhead is charged per VM"),
    datastores: z
      .array(Name)
      .default([])
      .describe("Datastores the host mounts; a VM runs only on hosts that mount all of its disks' datastores"),
    maintenance: z.boolean().default(false).describe("vSphere maintenance mode: DRS migrates the VMs away and the host takes no new VM"),
    cpuPools: z
      .array(
        z.strictObject({
          name: Name.describe("Pool name (pool_default always exists)"),
          cpus: z
            .int()
            .min(1)
            .max(64 * 256)
            .describe("CPUs in the pool's processor set"),
        }),
      )
      .optional()
      .describe(
        "Solaris resource pools of a zones host, each with its own processor set; pool_default keeps the other CPUs (at least one)",
      ),
    containerOsFamily: z
      .enum(["linux", "windows"])
      .optional()
      .describe("The kernel a virtuozzo host runs; absent: the first container placed there sets it"),
  })
  .superRefine((host, ctx) => {
    const pools = host.cpuPools ?? [];
    pools.forEach((p, i) => {
      if (p.name === "pool_default" || pools.findIndex((q) => q.name === p.name) !== i) {
        ctx.addIssue({
          code: "custom",
          path: ["cpuPools", i, "name"],
          message: `pool ${p.name} is listed twice (pool_default always exists)`,
        });
      }
    });
    const pooled = pools.reduce((sum, p) => sum + p.cpus, 0);
    const cpus = host.cpu.sockets * host.cpu.coresPerSocket;
    if (pooled >= cpus) {
      ctx.addIssue({
        code: "custom",
        path: ["cpuPools"],
        message: `the pools take ${pooled} of the host's ${cpus} CPUs; pool_default needs at least one`,
      });
    }
    if (pools.length > 0 && host.hypervisor !== "zones") {
      ctx.addIssue({
        code: "custom",
        path: ["cpuPools"],
        message: `resource pools with processor sets belong to Solaris zones hosts, not ${host.hypervisor}`,
      });
    }
    if (host.containerOsFamily !== undefined && host.hypervisor !== "virtuozzo") {
      ctx.addIssue({
        code: "custom",
        path: ["containerOsFamily"],
        message: `only a virtuozzo host chooses its container kernel; ${host.hypervisor} has one`,
      });
    }
    const versions: readonly string[] = HYPERVISOR_VERSIONS[host.hypervisor];
    if (host.hypervisorVersion !== undefined && !versions.includes(host.hypervisorVersion)) {
      ctx.addIssue({
        code: "custom",
        path: ["hypervisorVersion"],
        message: `${host.hypervisor} is modelled in versions ${versions.join(", ")}`,
      });
    }
  });
export type HostSpec = z.infer<typeof HostSpec>;
export type HostSpecInput = z.input<typeof HostSpec>;

/**
 * enteringMaintenance / enteringStandby: maintenance was asked (or DPM chose standby) and the host's
 * VMs are still migrating away; it takes no new VM and its capacity no longer counts.
 */
export const HostState = z.enum(["connected", "enteringMaintenance", "maintenance", "enteringStandby", "standby", "failed", "isolated"]);
export type HostState = z.infer<typeof HostState>;

/**
 * How one resource of a host is divided among its VMs now; a VM's usage follows from it and the VM's
 * own claims (its demand within its entitlement, its reservation and shares):
 * `demand`, room for what every VM wants; `shares`, each VM with shares gets `level` per share (MHz or
 * MB) within its reservation and what it wants, the others their reservation; `idle`, the VMs with
 * shares get what they want and those without share the rest, `level` each; `reservations`, the
 * reservations alone exceed the capacity, each VM gets its reservation times capacity / reserved.
 */
export const ResourceDivision = z.discriminatedUnion("by", [
  z.object({ by: z.literal("demand") }),
  z.object({ by: z.literal("shares"), level: z.number() }),
  z.object({ by: z.literal("idle"), level: z.number() }),
  z.object({ by: z.literal("reservations"), capacity: z.number(), reserved: z.number() }),
]);
export type ResourceDivision = z.infer<typeof ResourceDivision>;

export const HostStatus = z.object({
  observedGeneration: z.int(),
  state: HostState,
  /** The hypervisor release modelled (the spec's, else the default). */
  hypervisorVersion: z.string(),
  cpuCapacityMhz: z.number(),
  memoryCapacityMb: z.number(),
  cpuReservedMhz: z.number(),
  memoryReservedMb: z.number(),
  /**
   * What the VMs here use now, the hypervisor's overhead included: the host's capacity divided by
   * shares, up to each VM's demand and entitlement; memory being copied in by a live migration counts.
   */
  cpuUsedMhz: z.number(),
  memoryUsedMb: z.number(),
  /** How CPU and memory are divided among the VMs here; absent until the host's usage is first worked out. */
  usageDivision: z.object({ cpu: ResourceDivision, memory: ResourceDivision }).optional(),
  /** Sum of the entitlements of the VMs here (and of those migrating in): what DRS balances (normalized by capacity). */
  cpuEntitlementMhz: z.number(),
  memoryEntitlementMb: z.number(),
  /** Sum of the vCPUs and configured memory of the powered-on VMs: the commitment the balance score spreads. */
  vcpusCommitted: z.number(),
  memoryCommittedMb: z.number(),
  /** A failover host of its cluster's HA policy: it takes only VMs that HA restarts. */
  haFailoverHost: z.boolean(),
  vms: z.array(z.string()),
  /** VMs migrating onto this host; a live migration already holds its reservations here. */
  incomingVms: z.array(z.string()),
  containers: z.array(z.string()),
});
export type HostStatus = z.infer<typeof HostStatus>;
