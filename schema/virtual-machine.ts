import { z } from "zod";
import {
  CpuAllocation,
  FilePath,
  MAX_ADVANCE_SECONDS,
  MAX_CPU_MHZ,
  MAX_RATE_MBPS,
  MAX_STORAGE_GB,
  MemoryAllocation,
  Name,
  RestartPrioritySetting,
} from "./common";

/** The most memory one VM may have, in MB (24 TiB, the largest any product here supports); its overhead and working sets too. */
const MAX_VM_MEMORY_MB = 24 * 1024 * 1024;

export const GuestOs = z.enum(["linux", "windows", "solaris", "netware", "freebsd", "netbsd"]);
export type GuestOs = z.infer<typeof GuestOs>;

export const VirtualizationMode = z.enum(["auto", "full", "paravirtual", "hardware"]);

/**
 * Where a disk lives on its host, after Xen's disk backends: an image file (`file:`), a partition or a
 * whole device (`phy:`). A partition or a device is block storage: it lives on a local, iSCSI or FC
 * datastore, never on NFS, and like any disk it is reachable from the hosts that mount its datastore.
 */
export const DiskBackend = z.enum(["image", "partition", "device"]);
export type DiskBackend = z.infer<typeof DiskBackend>;

const DEVICE_PATH = /^\/dev\/[A-Za-z0-9._/-]+$/;
/** /dev/sda5, /dev/xvdb1, /dev/nvme0n1p2, /dev/mapper/vg-lv: a name ending in a partition number. */
const PARTITION_PATH = /^\/dev\/(?:(?:s|h|xv|v)d[a-z]+\d+|(?:nvme\d+n\d+|mmcblk\d+|loop\d+)p\d+|mapper\/[A-Za-z0-9._-]+)$/;

export const VmDisk = z
  .strictObject({
    datastore: Name.optional().describe("Datastore the disk lives on; the VM runs only on hosts that mount it"),
    datastoreCluster: Name.optional().describe(
      "Instead of datastore: a DatastoreCluster; Storage DRS picks the member (status.diskDatastores) and may move the disk later",
    ),
    sizeGb: z
      .number()
      .positive()
      .max(MAX_STORAGE_GB)
      .optional()
      .describe("Size in GB, taken on the datastore whether the VM runs or not; absent: the size of the importFrom image"),
    backend: DiskBackend.optional().describe(
      "Xen disk backend: image file (file:), partition or whole device (phy:, not on NFS); set together with path",
    ),
    path: FilePath.optional().describe("The backend's path on the host: an image file, or a /dev path for a partition or a device"),
    importFrom: FilePath.optional().describe("P2V: a raw disk image on the machine running Polyvisor, read when the VM is applied"),
  })
  .superRefine((disk, ctx) => {
    if ((disk.datastore === undefined) === (disk.datastoreCluster === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [disk.datastore === undefined ? "datastore" : "datastoreCluster"],
        message: "a disk names exactly one of datastore and datastoreCluster",
      });
    }
    if (disk.sizeGb === undefined && disk.importFrom === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["sizeGb"],
        message: "sizeGb is required unless the disk is imported from an image (importFrom)",
      });
    }
    if ((disk.backend === undefined) !== (disk.path === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [disk.backend === undefined ? "backend" : "path"],
        message: "backend and path go together: set both or neither",
      });
    }
    if (disk.path === undefined || disk.backend === undefined) return;
    if (disk.backend === "image" && disk.path.startsWith("/dev/")) {
      ctx.addIssue({
        code: "custom",
        path: ["path"],
        message: `an image backend is a file, not a device (${disk.path}); use backend partition or device`,
      });
    }
    if (disk.backend !== "image" && !DEVICE_PATH.test(disk.path)) {
      ctx.addIssue({ code: "custom", path: ["path"], message: `a ${disk.backend} backend is a /dev path (got ${disk.path})` });
    } else if (disk.backend === "partition" && !PARTITION_PATH.test(disk.path)) {
      ctx.addIssue({
        code: "custom",
        path: ["path"],
        message: `${disk.path} names a whole device, not a partition (e.g. /dev/sda5); use backend device`,
      });
    } else if (disk.backend === "device" && PARTITION_PATH.test(disk.path) && !disk.path.startsWith("/dev/mapper/")) {
      ctx.addIssue({
        code: "custom",
        path: ["path"],
        message: `${disk.path} names a partition, not a whole device; use backend partition`,
      });
    }
  });
export type VmDisk = z.infer<typeof VmDisk>;

/** What dominates a workload's cost under virtualization: computation, I/O, or page-table (MMU) work. */
export const WorkloadKind = z.enum(["cpu", "io", "mmu"]);
export type WorkloadKind = z.infer<typeof WorkloadKind>;

export const WorkloadProfile = z.enum(["constant", "diurnal", "bursty"]);

/**
 * What the guest asks for. `cpuDemandMhz` is the level the profile shapes over simulated time:
 * constant keeps it; diurnal swings it by +-`amplitude` over a day, peaking at `peakHour`; bursty
 * multiplies it by `burstFactor` in a sample with probability `burstProbability` (seeded).
 */
export const VmWorkload = z
  .strictObject({
    profile: WorkloadProfile.default("constant").describe(
      "How CPU demand moves over simulated time: constant, diurnal (a daily cosine) or bursty (seeded random bursts)",
    ),
    cpuDemandMhz: z
      .number()
      .min(0)
      .max(MAX_CPU_MHZ)
      .optional()
      .describe("CPU the guest wants in MHz, the level the profile shapes; capped by cpu.limitMhz; absent: 0 (idle)"),
    activeMemoryMb: z
      .number()
      .min(0)
      .max(MAX_VM_MEMORY_MB)
      .optional()
      .describe("Memory the guest actively touches in MB (vSphere active memory), capped at memoryMb; absent: all of memoryMb"),
    dirtyRateMbps: z
      .number()
      .min(0)
      .max(MAX_RATE_MBPS)
      .optional()
      .describe("Rate the guest writes memory in Mbit/s: drives live-migration pre-copy rounds and downtime; absent: 0"),
    writableWorkingSetMb: z
      .number()
      .min(0)
      .max(MAX_VM_MEMORY_MB)
      .optional()
      .describe("The pages it keeps writing (Clark et al.'s writable working set); absent: activeMemoryMb, else all memory"),
    kind: WorkloadKind.optional().describe(
      "Row of the virtualization overhead table: cpu-, io- or mmu-bound (page-table) work; absent: cpu",
    ),
    amplitude: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("diurnal: fraction of cpuDemandMhz the demand swings by either way; absent: 0.5"),
    peakHour: z.number().min(0).max(24).optional().describe("diurnal: hour of the simulated day with the highest demand; absent: 14"),
    burstProbability: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("bursty: chance of a burst at each sample (each periodic DRS pass); absent: 0.1"),
    burstFactor: z.number().min(1).max(100).optional().describe("bursty: demand multiplier during a burst; absent: 3"),
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
    cluster: Name.optional().describe(
      "Cluster to place the VM in; required unless host is set (the VM then joins the host's cluster, if any)",
    ),
    host: Name.optional().describe("Pins the VM to this host: a must-run placement that DRS never moves"),
    pool: Name.optional().describe("Resource pool of the VM's cluster it draws capacity from; absent: the cluster's root"),
    vcpus: z
      .int()
      .min(1)
      .max(768)
      .describe("Virtual CPUs: at most the host's cores and the product's per-guest limit (ESX 3.0: 4, Virtual Server: 1)"),
    memoryMb: z
      .int()
      .min(4)
      .max(MAX_VM_MEMORY_MB)
      .describe("Configured guest memory in MB, within the product's per-guest limit (ESX 3.0: 16 GB)"),
    guestOs: GuestOs.describe("Guest operating system: decides whether a paravirtualized kernel exists (Xen PV) and the boot time"),
    guestArch: z
      .enum(["x86", "x86_64"])
      .default("x86_64")
      .describe("Guest architecture: x86_64 needs lm on the host CPU, and on Intel a mode other than binary translation"),
    virtualization: VirtualizationMode.default("auto").describe(
      "full (binary translation), paravirtual (Xen PV) or hardware (VT-x/AMD-V); auto: the hypervisor's first mode that fits",
    ),
    powerState: z
      .enum(["on", "off"])
      .default("on")
      .describe("on: placed and powered on, subject to admission control; off: kept stopped, its disks still take space"),
    cpu: CpuAllocation.prefault({}).describe("CPU shares, reservation and limit (vSphere resource allocation)"),
    memory: MemoryAllocation.prefault({}).describe(
      "Memory shares, reservation and limit; a running VM's memory overhead is always reserved too",
    ),
    disks: z.array(VmDisk).default([]).describe("Virtual disks, each on a datastore"),
    haRestartPriority: RestartPrioritySetting.optional().describe(
      "HA restart order of this VM; disabled: never restarted; absent: the cluster's ha.restartPriority",
    ),
    haRestartTimeoutSeconds: z
      .int()
      .min(0)
      .max(MAX_ADVANCE_SECONDS)
      .optional()
      .describe(
        "vSphere 6.5's restart priority condition timeout: lower priorities wait at most this long after HA restarts this VM for its guest to be up, then start anyway; absent: 600",
      ),
    workload: VmWorkload.optional().describe(
      "What the guest asks for over time; absent: no CPU demand, all memory active, no memory dirtying",
    ),
    cdrom: FilePath.regex(/\.iso$/i, { message: "must name an ISO image (a file ending in .iso)" })
      .optional()
      .describe("An ISO image mounted in the VM's CD drive (Virtual Server's feature); changing it is an in-place update"),
    memoryOverheadMb: z
      .number()
      .min(0)
      .max(MAX_VM_MEMORY_MB)
      .optional()
      .describe("Overrides the modelled per-VM memory overhead in MB (reserved beside the guest memory)"),
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

export const MigrationKind = z.enum(["live", "cold"]);

/** Why pre-copy stopped and the VM was paused for the final copy (Xen's stop conditions). */
export const PreCopyStop = z.enum(["converged", "maxIterations", "sentMaxFactor", "dirtyRateAtCap", "notLive"]);
export type PreCopyStop = z.infer<typeof PreCopyStop>;

export const MigrationRecord = z.object({
  fromHost: z.string(),
  toHost: z.string(),
  totalSeconds: z.number(),
  downtimeMs: z.number(),
  /** Pre-copy rounds, not counting the final stop-and-copy. */
  rounds: z.number(),
  transferredMb: z.number(),
  kind: MigrationKind,
  stopReason: PreCopyStop,
  completedAtSeconds: z.number(),
});
export type MigrationRecord = z.infer<typeof MigrationRecord>;

/** A migration under way: the VM still runs on fromHost (live) until completesAtSeconds. */
export const MigrationInFlight = z.object({
  kind: MigrationKind,
  fromHost: z.string(),
  toHost: z.string(),
  startedAtSeconds: z.number(),
  completesAtSeconds: z.number(),
  /** What the model predicts; it becomes lastMigration on completion. */
  expected: MigrationRecord.omit({ completedAtSeconds: true }),
  /** The VM's overhead on the target host, already reserved there. */
  targetOverheadMemoryMb: z.number(),
  targetOverheadCpuPercent: z.number(),
});
export type MigrationInFlight = z.infer<typeof MigrationInFlight>;

/** A partition of an imported disk's MBR. */
export const ImportedPartition = z.object({
  index: z.int().min(1).max(4),
  type: z.int().min(1).max(255),
  typeName: z.string(),
  bootable: z.boolean(),
  startSector: z.int().min(0),
  sectors: z.int().min(1),
  sizeMb: z.number(),
});

/** What P2V read from a raw disk image: its size and, when present, its MBR partition table. */
export const ImportedDisk = z.object({
  disk: z.int().min(0),
  source: z.string(),
  sizeBytes: z.int().min(512),
  sizeGb: z.number(),
  partitionTable: z.enum(["mbr", "gpt", "none"]),
  partitions: z.array(ImportedPartition),
});
export type ImportedDisk = z.infer<typeof ImportedDisk>;

/** What the runtime's I/O layer read from one image file: the data a P2V import hands to the core. */
export const DiskImageFacts = ImportedDisk.omit({ sizeGb: true });
export type DiskImageFacts = z.infer<typeof DiskImageFacts>;

/** Where a VM stands in an HA restart after its host failed or was isolated. */
export const GuestHealth = z.object({
  heartbeat: z.enum(["ok", "lost"]),
  /** When heartbeats stopped (failVm), or null while they come. */
  lostAtSeconds: z.number().nullable(),
  /** How the guest failed: it hangs (heartbeats stop) or crashed. */
  failure: z.enum(["heartbeat", "crash"]).nullable(),
  /** Times of VM Monitoring resets, the last maxResets or fewer. */
  resetsAtSeconds: z.array(z.number()),
  /** Set when HA stopped resetting the VM after maxResets in the window. */
  gaveUp: z.boolean(),
});
export type GuestHealth = z.infer<typeof GuestHealth>;

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
  /**
   * restarting: until when lower priorities wait for it, the earlier of readyAtSeconds and the
   * restart plus its haRestartTimeoutSeconds; absent (states recorded before it existed): readyAtSeconds.
   */
  blocksUntilSeconds: z.number().optional(),
  /** pendingRestart: why no host could take it. */
  pendingReason: z.string().nullable(),
});
export type HaRestart = z.infer<typeof HaRestart>;

/** A storage migration (Storage vMotion) of some of a VM's disks from one datastore to another. */
export const StorageMigration = z.object({
  datastoreCluster: z.string(),
  fromDatastore: z.string(),
  toDatastore: z.string(),
  disks: z.array(z.int()),
  sizeGb: z.number(),
  startedAtSeconds: z.number(),
  completesAtSeconds: z.number(),
});
export type StorageMigration = z.infer<typeof StorageMigration>;

export const VmStatus = z.object({
  observedGeneration: z.int(),
  cluster: z.string().nullable(),
  currentHost: z.string().nullable(),
  powerState: z.enum(["on", "off"]),
  /** The mode resolved on the current host; null while powered off. */
  virtualization: z.enum(["full", "paravirtual", "hardware"]).nullable(),
  /** Why that mode: the request, the hypervisor's preference and what the CPU offers. */
  virtualizationReason: z.string().nullable(),
  /** How guest page tables are virtualized: shadow tables, nested paging (EPT/NPT) or direct (Xen PV). */
  paging: z.enum(["shadow", "nested", "direct"]).nullable(),
  overheadMemoryMb: z.number(),
  /** CPU the hypervisor spends on the VM, in percent of the VM's own CPU (technique x workload kind). */
  overheadCpuPercent: z.number(),
  /** That percentage of the CPU the guest uses now: the host's used CPU counts it beside cpuUsedMhz. */
  overheadCpuMhz: z.number(),
  /** That percentage of the VM's CPU reservation: reserved on the host beside the reservation. */
  overheadCpuReservedMhz: z.number(),
  /** CPU demand now, as the workload profile gives it at the last sample. */
  cpuDemandMhz: z.number(),
  /**
   * What the VM deserves on its host: cluster capacity divided over the pool tree by shares, within
   * reservation, limit and demand, the hypervisor's overhead included (CPU: its percentage; memory:
   * its overhead MB), since that is what the VM takes from the host.
   */
  cpuEntitlementMhz: z.number(),
  /**
   * cpuEntitlementMhz split: the guest's part, which a limit caps (cpu.limitMhz; vSphere: a limit is
   * the most the VM gets), and the hypervisor's overhead for delivering it (overheadCpuPercent of it).
   * Derived when the VM is shown, not stored.
   */
  cpuGuestEntitlementMhz: z.number().optional(),
  cpuOverheadEntitlementMhz: z.number().optional(),
  /** vSphere 7's VM DRS score, 0-100: how much of its CPU and memory demand it gets (runtime/core/drs/vm-score.ts); null when not running. Derived when shown. */
  drsScore: z.number().nullable().optional(),
  memoryEntitlementMb: z.number(),
  /** What the guest gets on its host now (the hypervisor's CPU for it is overheadCpuMhz). */
  cpuUsedMhz: z.number(),
  /** Memory it consumes on its host now, its overhead included. */
  memoryUsedMb: z.number(),
  /** DRS leaves the VM where it is until this time (after a DRS move); null when free to move. */
  drsCooldownUntilSeconds: z.number().nullable(),
  migrations: z.int(),
  lastMigration: MigrationRecord.nullable(),
  /** A migration under way (DRS and HA leave such a VM alone), or null. */
  migration: MigrationInFlight.nullable(),
  /** Disks imported from raw images (P2V), with what was read from them. */
  importedDisks: z.array(ImportedDisk),
  /** The ISO image in the CD drive, or null. */
  cdrom: z.string().nullable(),
  /** The datastore each disk is on, by disk index (a datastoreCluster disk: the member Storage DRS chose). Absent: as the spec names them. */
  diskDatastores: z.array(z.string()).optional(),
  /** A Storage DRS move of the VM's disks under way (the target is charged from the start), or absent. */
  storageMigration: StorageMigration.nullable().optional(),
  haRestart: HaRestart.nullable(),
  /** The guest's heartbeats as VM Monitoring sees them (absent: healthy, never reset). */
  guestHealth: GuestHealth.optional(),
});
export type VmStatus = z.infer<typeof VmStatus>;

/** The contract names schemas after their kinds; `VmSpec` is the short form used in code. */
export const VirtualMachineSpec = VmSpec;
export const VirtualMachineStatus = VmStatus;
