import { z } from "zod";
import { Name } from "./common";

export const Hypervisor = z.enum(["esx", "virtualServer", "xen", "kvm", "hyperv", "openvz", "virtuozzo", "zones"]);
export type Hypervisor = z.infer<typeof Hypervisor>;

export const CpuFeature = z.enum(["vmx", "svm", "ept", "npt", "lm"]);
export type CpuFeature = z.infer<typeof CpuFeature>;

/** Features that exist only on one vendor's processors. */
const VENDOR_FEATURES: Record<string, "intel" | "amd"> = { vmx: "intel", ept: "intel", svm: "amd", npt: "amd" };

export const HostCpu = z
  .strictObject({
    sockets: z.int().min(1).max(64).default(1),
    coresPerSocket: z.int().min(1).max(256),
    mhz: z.int().min(100).max(10_000),
    vendor: z.enum(["intel", "amd"]),
    features: z.array(CpuFeature).default([]),
  })
  .superRefine((cpu, ctx) => {
    cpu.features.forEach((feature, i) => {
      const only = VENDOR_FEATURES[feature];
      if (only && only !== cpu.vendor) {
        ctx.addIssue({ code: "custom", path: ["features", i], message: `${feature} is an ${only} feature; the host's vendor is ${cpu.vendor}` });
      }
      if (cpu.features.indexOf(feature) !== i) {
        ctx.addIssue({ code: "custom", path: ["features", i], message: `${feature} is listed twice` });
      }
    });
  });

export const HostSpec = z.strictObject({
  cluster: Name.optional(),
  hypervisor: Hypervisor,
  cpu: HostCpu,
  memoryMb: z.int().min(256).max(64 * 1024 * 1024),
  datastores: z.array(Name).default([]),
  maintenance: z.boolean().default(false),
});
export type HostSpec = z.infer<typeof HostSpec>;
export type HostSpecInput = z.input<typeof HostSpec>;

export const HostState = z.enum(["connected", "maintenance", "failed", "isolated", "standby"]);
export type HostState = z.infer<typeof HostState>;

export const HostStatus = z.object({
  observedGeneration: z.int(),
  state: HostState,
  cpuCapacityMhz: z.number(),
  memoryCapacityMb: z.number(),
  cpuReservedMhz: z.number(),
  memoryReservedMb: z.number(),
  cpuUsedMhz: z.number(),
  memoryUsedMb: z.number(),
  /** Sum of the vCPUs and configured memory of the powered-on VMs: the commitment the balance score spreads. */
  vcpusCommitted: z.number(),
  memoryCommittedMb: z.number(),
  /** A failover host of its cluster's HA policy: it takes only VMs that HA restarts. */
  haFailoverHost: z.boolean(),
  vms: z.array(z.string()),
  containers: z.array(z.string()),
});
export type HostStatus = z.infer<typeof HostStatus>;
