/**
 * What each hypervisor release can run, as data: one row per (hypervisor, version), each fact with
 * its source. Compatibility (modes, limits) and the memory part of the overhead model read this
 * table; nothing else hard-codes a product's behaviour.
 * Glossary: BT = binary translation (full virtualization in software), PV = paravirtualization,
 * HVM = hardware virtual machine (Intel VT-x "vmx" / AMD-V "svm"), EPT/NPT = nested paging.
 */
import type { OsFamily } from "../../../schema/template";
import type { GuestOs } from "../../../schema/virtual-machine";
import { type LiveMigrationModel, VMOTION, XEN_PRE_COPY } from "../migration/models";
import { type Hypervisor, type HypervisorVersion, hypervisorVersionOf } from "../../../schema/host";

export type ResolvedMode = "full" | "paravirtual" | "hardware";
export type GuestArch = "x86" | "x86_64";
export type Paging = "shadow" | "nested" | "direct";

/** Per-VM memory the hypervisor needs beside the guest: base + per vCPU + per GB of guest memory. */
export interface MemoryOverheadModel {
  baseMb: number;
  perVcpuMb: number;
  /** By paging technique: shadow page tables cost memory in proportion to the guest's. */
  perGbMb: Readonly<Record<Paging, number>>;
}

/** What a container technology's kernel runs (containers/kernel-sharing.ts applies it). */
export interface ContainerSupport {
  /** The OS families whose containers this technology's kernel runs natively. */
  osFamilies: readonly OsFamily[];
  /** Whether Linux templates run in `lx` branded zones (Solaris 10 8/07 and later, x86). */
  lxBrand: boolean;
}

export interface HypervisorProfile {
  hypervisor: Hypervisor;
  version: HypervisorVersion;
  product: string;
  /** bareMetal: the hypervisor owns the machine; hosted: it runs on a host OS; containers: OS-level only. */
  architecture: "bareMetal" | "hosted" | "containers";
  /** Modes offered, in the order `auto` prefers them. Empty for container-only products. */
  modes: readonly ResolvedMode[];
  /** Guest architectures that may use hardware assistance (ESX 3.0 used VT-x for 64-bit guests only). */
  hardwareAssistFor: readonly GuestArch[];
  /** Guest kernels ported to this hypervisor's paravirtual interface. */
  paravirtualGuests: readonly GuestOs[];
  guestArchs: readonly GuestArch[];
  /** Whether hardware mode uses EPT/NPT when the CPU has it. */
  nestedPaging: boolean;
  /** The release refuses to run on a CPU without EPT/NPT. */
  requiresNestedPaging: boolean;
  /** vCPUs per guest by mode (absent: only the host's cores bound it) and memory per guest. */
  maxVcpus: Readonly<Partial<Record<ResolvedMode, number>>>;
  maxMemoryMb: number | undefined;
  memoryOverhead: MemoryOverheadModel;
  /** The OS families of the containers its kernel runs; absent for hypervisors without containers. */
  containers?: ContainerSupport;
  /** How its live migration sends memory (migration/models.ts); absent: the cluster's pre-copy settings as given. */
  liveMigration?: LiveMigrationModel;
  sources: readonly string[];
}

const ALL_ARCHS: readonly GuestArch[] = ["x86", "x86_64"];
/** Kernels with a Xen port: Linux (XenLinux), NetBSD (Xen port since NetBSD 2.0), FreeBSD, OpenSolaris (xVM). */
const XEN_PV_GUESTS: readonly GuestOs[] = ["linux", "netbsd", "freebsd", "solaris"];

/** Bare-metal hypervisors that run every guest with VT-x/AMD-V and nothing else. */
const HARDWARE_ONLY = {
  architecture: "bareMetal",
  modes: ["hardware"],
  hardwareAssistFor: ALL_ARCHS,
  paravirtualGuests: [],
  guestArchs: ALL_ARCHS,
} as const satisfies Partial<HypervisorProfile>;

/**
 * ESX per-VM overhead, fitted to the vSphere Resource Management guides' overhead tables. ESX 4.0
 * guide, table 3-2 (1 vCPU): 113.17 MB at 256 MB to 334.96 MB at 16 GB and 1011.21 MB at 64 GB, i.e.
 * 14.08 MB per GB on top of about 109.7 MB. vSphere 6.5/6.7 guide, "Sample Overhead Memory on Virtual
 * Machines" (hardware MMU): 20.29 MB (1 vCPU, 256 MB) to 168.60 MB (8 vCPUs, 16 GB), i.e. 3.98 MB per
 * vCPU and 7.58 MB per GB on top of 14.42 MB; both fits are within 1.1 MB of every published cell.
 */
const ESX_CLASSIC_OVERHEAD: MemoryOverheadModel = {
  baseMb: 105.67,
  perVcpuMb: 3.98,
  perGbMb: { shadow: 14.08, nested: 14.08, direct: 14.08 },
};
const ESX_MODERN_OVERHEAD: MemoryOverheadModel = { baseMb: 14.42, perVcpuMb: 3.98, perGbMb: { shadow: 7.58, nested: 7.58, direct: 7.58 } };

/**
 * Xen's paging memory per domain (libxl__get_required_paging_memory, tools/libs/light): 1 MB per vCPU,
 * plus one 4 KiB page per MiB of guest memory for the P2M map (not for PV guests), plus one more per
 * MiB for shadow page tables (shadow mode only): 0, 4 or 8 MB per GB.
 */
const XEN_OVERHEAD: MemoryOverheadModel = { baseMb: 0, perVcpuMb: 1, perGbMb: { direct: 0, nested: 4, shadow: 8 } };
const LIBXL_SOURCE =
  "Xen libxl__get_required_paging_memory (tools/libs/light/libxl_create.c): 1 MB per vCPU + 4 KiB per MiB for the P2M (HVM) + 4 KiB per MiB for shadow tables";

/** Xen: paravirtualization for ported kernels, HVM for the rest (auto prefers PV). */
const XEN_FAMILY = {
  hypervisor: "xen",
  liveMigration: XEN_PRE_COPY,
  architecture: "bareMetal",
  modes: ["paravirtual", "hardware"],
  hardwareAssistFor: ALL_ARCHS,
  paravirtualGuests: XEN_PV_GUESTS,
  guestArchs: ALL_ARCHS,
  requiresNestedPaging: false,
  maxMemoryMb: undefined,
  memoryOverhead: XEN_OVERHEAD,
} as const satisfies Partial<HypervisorProfile>;

const NO_VMS: Pick<
  HypervisorProfile,
  | "modes"
  | "hardwareAssistFor"
  | "paravirtualGuests"
  | "guestArchs"
  | "nestedPaging"
  | "requiresNestedPaging"
  | "maxVcpus"
  | "maxMemoryMb"
  | "memoryOverhead"
> = {
  modes: [],
  hardwareAssistFor: [],
  paravirtualGuests: [],
  guestArchs: [],
  nestedPaging: false,
  requiresNestedPaging: false,
  maxVcpus: {},
  maxMemoryMb: undefined,
  memoryOverhead: { baseMb: 0, perVcpuMb: 0, perGbMb: { shadow: 0, nested: 0, direct: 0 } },
};

type ProfileTable = { readonly [H in Hypervisor]: { readonly [V in HypervisorVersion<H>]: HypervisorProfile } };

export const PROFILES: ProfileTable = {
  esx: {
    "3.0": {
      hypervisor: "esx",
      version: "3.0",
      liveMigration: VMOTION,
      product: "VMware ESX Server 3.0 (Virtual Infrastructure 3)",
      architecture: "bareMetal",
      modes: ["full", "hardware"],
      hardwareAssistFor: ["x86_64"],
      paravirtualGuests: [],
      guestArchs: ALL_ARCHS,
      nestedPaging: false,
      requiresNestedPaging: false,
      maxVcpus: { full: 4, hardware: 4 },
      maxMemoryMb: 16 * 1024,
      memoryOverhead: ESX_CLASSIC_OVERHEAD,
      sources: [
        "Configuration Maximums for VMware Infrastructure 3 (ESX Server 3.0.1): 4 virtual CPUs and 16 GB of RAM per virtual machine",
        "Adams & Agesen, 'A Comparison of Software and Hardware Techniques for x86 Virtualization', ASPLOS 2006: ESX runs guests by binary translation; VT-x serves 64-bit guests on Intel, whose long mode lacks the segment limits BT relies on",
        "vSphere 4.0 Resource Management Guide, table 3-2 (the earliest per-size overhead table published): memory overhead",
        "Broadcom KB 436882, 'How to identify vMotion stun time for a vMotion': vMotion pre-copies memory over the vMotion network until the rest fits the 500 ms switchover goal, then stuns the VM (live migration model; no source describes a rate-limited first round)",
      ],
    },
    "4.0": {
      hypervisor: "esx",
      version: "4.0",
      liveMigration: VMOTION,
      product: "VMware ESX 4.0 (vSphere 4)",
      architecture: "bareMetal",
      modes: ["hardware", "full"],
      hardwareAssistFor: ALL_ARCHS,
      paravirtualGuests: [],
      guestArchs: ALL_ARCHS,
      nestedPaging: true,
      requiresNestedPaging: false,
      maxVcpus: { full: 8, hardware: 8 },
      maxMemoryMb: 255 * 1024,
      memoryOverhead: ESX_CLASSIC_OVERHEAD,
      sources: [
        "Configuration Maximums for VMware vSphere 4.0: 8 virtual CPUs and 255 GB of RAM per virtual machine",
        "VMware, 'Virtual Machine Monitor Execution Modes in VMware vSphere 4.0': VT-x/AMD-V with EPT/RVI where available, VT-x with shadow page tables otherwise, BT when the CPU has no VT-x; 64-bit guests are not runnable on EM64T without VT-x",
        "vSphere 4.0 Resource Management Guide, table 3-2: memory overhead",
        "Broadcom KB 436882, 'How to identify vMotion stun time for a vMotion': vMotion pre-copies memory over the vMotion network until the rest fits the 500 ms switchover goal, then stuns the VM (live migration model; no source describes a rate-limited first round)",
      ],
    },
    "8.0": {
      hypervisor: "esx",
      version: "8.0",
      liveMigration: VMOTION,
      product: "VMware ESXi 8.0 (vSphere 8)",
      ...HARDWARE_ONLY,
      nestedPaging: true,
      requiresNestedPaging: false,
      maxVcpus: { hardware: 768 },
      maxMemoryMb: 24 * 1024 * 1024,
      memoryOverhead: ESX_MODERN_OVERHEAD,
      sources: [
        "VMware vSphere 8.0 Configuration Maximums: 768 virtual CPUs and 24 TB of memory per virtual machine",
        "vSphere 8 installation requirements: hardware virtualization (Intel VT-x or AMD RVI) enabled in the BIOS; the model offers no binary translation for this release (an assumption: every CPU vSphere 8 supports has VT-x/AMD-V)",
        "vSphere 6.5/6.7 Resource Management Guide, 'Sample Overhead Memory on Virtual Machines' (hardware MMU): memory overhead",
        "Broadcom KB 436882, 'How to identify vMotion stun time for a vMotion': vMotion pre-copies memory over the vMotion network until the rest fits the 500 ms switchover goal, then stuns the VM (live migration model; no source describes a rate-limited first round)",
      ],
    },
  },
  virtualServer: {
    "2005R2": {
      hypervisor: "virtualServer",
      version: "2005R2",
      product: "Microsoft Virtual Server 2005 R2",
      architecture: "hosted",
      modes: ["full"],
      hardwareAssistFor: [],
      paravirtualGuests: [],
      guestArchs: ["x86"],
      nestedPaging: false,
      requiresNestedPaging: false,
      maxVcpus: { full: 1 },
      maxMemoryMb: 3686,
      memoryOverhead: { baseMb: 32, perVcpuMb: 0, perGbMb: { shadow: 0, nested: 0, direct: 0 } },
      sources: [
        "Virtual Server 2005 R2 Administrator's Guide, 'Virtual machines in Virtual Server': up to 3.6 GB of RAM per virtual machine, 64 virtual machines per host",
        "Virtual Server 2005 R2 Administrator's Guide, 'Allocating system resources to a virtual machine': each virtual machine requires 32 MB in addition to its memory (emulated video RAM and code cache)",
        "The six-technologies article: hosted on Windows Server, 32-bit guests only, one processor per guest, an I/O bottleneck",
      ],
    },
  },
  xen: {
    "3.0": {
      ...XEN_FAMILY,
      version: "3.0",
      product: "Xen 3.0",
      nestedPaging: false,
      maxVcpus: { paravirtual: 32, hardware: 32 },
      sources: [
        "Barham et al., 'Xen and the Art of Virtualization', SOSP 2003: paravirtual guests run modified kernels; unmodified ones (Windows) cannot",
        "Xen 3.0 release: HVM guests for unmodified operating systems on Intel VT-x and AMD-V processors, with shadow page tables",
        "xen/include/public/arch-x86_32.h: MAX_VIRT_CPUS 32 (maximum number of virtual CPUs in multi-processor guests)",
        LIBXL_SOURCE,
        "Clark et al., 'Live Migration of Virtual Machines', NSDI 2005, and xc_domain_save.c: rate-limited pre-copy (live migration model)",
      ],
    },
    "4.0": {
      ...XEN_FAMILY,
      version: "4.0",
      product: "Xen 4.0",
      nestedPaging: true,
      maxVcpus: { hardware: 128 },
      sources: [
        "Xen hardware-assisted paging (HAP) on AMD NPT and Intel EPT, used for HVM guests when the CPU has it",
        "xen/include/public/hvm/hvm_info_table.h: HVM_MAX_VCPUS 128",
        LIBXL_SOURCE,
        "Clark et al., 'Live Migration of Virtual Machines', NSDI 2005, and xc_domain_save.c: rate-limited pre-copy (live migration model)",
      ],
    },
  },
  kvm: {
    current: {
      hypervisor: "kvm",
      version: "current",
      product: "Linux KVM",
      ...HARDWARE_ONLY,
      nestedPaging: true,
      requiresNestedPaging: false,
      maxVcpus: {},
      maxMemoryMb: undefined,
      memoryOverhead: XEN_OVERHEAD,
      sources: [
        "linux-kvm.org: KVM requires a processor with Intel VT-x or AMD-V; it uses EPT/NPT when present",
        "Memory overhead: modelled with Xen's HVM paging formula (the same P2M and shadow structures); KVM publishes no per-VM table",
      ],
    },
  },
  hyperv: {
    "2008": {
      hypervisor: "hyperv",
      version: "2008",
      product: "Windows Server 2008 Hyper-V",
      ...HARDWARE_ONLY,
      nestedPaging: false,
      requiresNestedPaging: false,
      maxVcpus: { hardware: 4 },
      maxMemoryMb: 64 * 1024,
      memoryOverhead: XEN_OVERHEAD,
      sources: [
        "Hyper-V (Windows Server 2008) requirements: an x64 processor with hardware-assisted virtualization (Intel VT or AMD-V) and DEP",
        "Windows Server 2008 Hyper-V: up to 4 virtual processors and 64 GB of memory per virtual machine; second-level address translation arrived in 2008 R2",
        "Memory overhead: modelled with Xen's HVM paging formula",
      ],
    },
    "2016": {
      hypervisor: "hyperv",
      version: "2016",
      product: "Windows Server 2016 Hyper-V",
      ...HARDWARE_ONLY,
      nestedPaging: true,
      requiresNestedPaging: true,
      maxVcpus: { hardware: 240 },
      maxMemoryMb: 12 * 1024 * 1024,
      memoryOverhead: XEN_OVERHEAD,
      sources: [
        "Windows Server 2016 Hyper-V system requirements: a 64-bit processor with second-level address translation (SLAT: EPT or NPT)",
        "Plan for Hyper-V scalability in Windows Server 2016: 240 virtual processors and 12 TB of memory per generation 2 virtual machine",
        "Memory overhead: modelled with Xen's HVM paging formula",
      ],
    },
  },
  openvz: {
    "2.6.18": {
      hypervisor: "openvz",
      version: "2.6.18",
      product: "OpenVZ (RHEL5 2.6.18 kernel)",
      architecture: "containers",
      ...NO_VMS,
      containers: { osFamilies: ["linux"], lxBrand: false },
      sources: [
        "OpenVZ runs containers that share the host's one kernel; it has no virtual machines",
        "OpenVZ User's Guide, 'OpenVZ Philosophy': one Linux kernel per hardware node, so only Linux containers",
      ],
    },
  },
  virtuozzo: {
    "3.5": {
      hypervisor: "virtuozzo",
      version: "3.5",
      product: "SWsoft Virtuozzo 3.5",
      architecture: "containers",
      ...NO_VMS,
      containers: { osFamilies: ["linux", "windows"], lxBrand: false },
      sources: [
        "Virtuozzo runs virtual private servers on one shared, modified kernel; it has no virtual machines",
        "Virtuozzo 3.5 for Linux and Virtuozzo 3.5 for Windows: Linux containers on a Linux host, Windows Server containers on a Windows host",
      ],
    },
  },
  zones: {
    "10": {
      hypervisor: "zones",
      version: "10",
      product: "Solaris 10 Containers (zones)",
      architecture: "containers",
      ...NO_VMS,
      containers: { osFamilies: ["solaris"], lxBrand: true },
      sources: [
        "Solaris Containers are Solaris instances sharing one kernel; they have no virtual machines",
        "System Administration Guide: Solaris Containers, 'About Branded Zones and the Linux Branded Zone' (Solaris 10 8/07, x86): lx zones run 32-bit Linux",
      ],
    },
  },
};

/** The profile of the release a host runs. */
export function profileOf(host: { hypervisor: Hypervisor; hypervisorVersion?: string }): HypervisorProfile {
  const byVersion = PROFILES[host.hypervisor] as Readonly<Record<string, HypervisorProfile>>;
  const profile = byVersion[hypervisorVersionOf(host)];
  if (!profile) throw new Error(`internal: no profile for ${host.hypervisor} ${host.hypervisorVersion}`);
  return profile;
}

/** Whether the release runs virtual machines at all (OpenVZ, Virtuozzo and zones run containers only). */
export function runsVirtualMachines(profile: HypervisorProfile): boolean {
  return profile.modes.length > 0;
}
