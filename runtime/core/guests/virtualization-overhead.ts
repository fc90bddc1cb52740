/**
 * The virtualization overhead model: the CPU a hypervisor spends on a VM, in percent of the VM's own
 * CPU, by technique and workload kind; and the memory it needs beside the guest (from the profile's
 * fitted vendor table). The table and its sources live together here; docs/architecture.md repeats it.
 * Every cell says whether it was measured, derived from a measurement, or assumed.
 */
import type { WorkloadKind } from "../../../schema/virtual-machine";
import type { HypervisorProfile, Paging, ResolvedMode } from "../hypervisors/profiles";

/** How the CPU and the MMU are virtualized: what the overhead depends on. */
export type Technique = "paravirtual" | "binaryTranslation" | "hosted" | "hardwareShadow" | "hardwareNested";

export interface OverheadCell {
  percent: number;
  basis: "measured" | "derived" | "assumed";
  source: string;
}

const BARHAM = "Barham et al., 'Xen and the Art of Virtualization', SOSP 2003, figure 3";
const ADAMS = "Adams & Agesen, 'A Comparison of Software and Hardware Techniques for x86 Virtualization', ASPLOS 2006";
const NESTED =
  "VMware, 'Performance Evaluation of AMD RVI Hardware Assist' (2008) and '... Intel EPT Hardware Assist' (2009): MMU-intensive workloads gain up to 42% and 48% over software MMU";
const IO_ASSUMED = "assumed: a bare-metal monitor's device emulation, without the host-OS round trip that dominates the hosted figure";

export const CPU_OVERHEAD: Readonly<Record<Technique, Readonly<Record<WorkloadKind, OverheadCell>>>> = {
  paravirtual: {
    cpu: { percent: 1, basis: "measured", source: `${BARHAM}: SPEC INT2000 on XenoLinux within 1% of native Linux` },
    io: { percent: 1, basis: "measured", source: `${BARHAM}: SPECweb99 514 on XenoLinux vs 518 native (0.8%)` },
    mmu: { percent: 3, basis: "measured", source: `${BARHAM}: Linux build 271 s on XenoLinux vs 263 s native (3.0%)` },
  },
  hosted: {
    cpu: { percent: 2, basis: "measured", source: `${BARHAM}: SPEC INT2000 554 on VMware Workstation vs 567 native (2.3%)` },
    io: {
      percent: 245,
      basis: "measured",
      source: `${BARHAM}: SPECweb99 150 on VMware Workstation vs 518 native (3.45x the CPU per request)`,
    },
    mmu: { percent: 27, basis: "measured", source: `${BARHAM}: Linux build 334 s on VMware Workstation vs 263 s native (27%)` },
  },
  binaryTranslation: {
    cpu: {
      percent: 2,
      basis: "derived",
      source: `${BARHAM} (hosted compute figure): BT runs guest user code natively, bare metal or hosted`,
    },
    io: { percent: 10, basis: "assumed", source: IO_ASSUMED },
    mmu: {
      percent: 27,
      basis: "derived",
      source: `${BARHAM} (hosted build figure): the cost of shadow page tables is in the monitor, bare metal or hosted`,
    },
  },
  hardwareShadow: {
    cpu: {
      percent: 2,
      basis: "derived",
      source: `${ADAMS}: compute-bound work runs near native with BT and with first-generation VT-x alike`,
    },
    io: { percent: 10, basis: "assumed", source: IO_ASSUMED },
    mmu: {
      percent: 40,
      basis: "assumed",
      source: `${ADAMS}: first-generation VT-x with shadow page tables is slower than BT on MMU-heavy work (forkwait: 106.4 s vs 36.9 s, native 6.0 s)`,
    },
  },
  hardwareNested: {
    cpu: { percent: 2, basis: "derived", source: `${ADAMS}: compute-bound work runs near native under hardware assistance` },
    io: { percent: 10, basis: "assumed", source: IO_ASSUMED },
    mmu: { percent: 10, basis: "assumed", source: `${NESTED}; 1.40 / 1.10 is a 27% gain over shadow paging, inside that range` },
  },
};

export function techniqueOf(mode: ResolvedMode, paging: Paging, profile: HypervisorProfile): Technique {
  if (mode === "paravirtual") return "paravirtual";
  if (mode === "full") return profile.architecture === "hosted" ? "hosted" : "binaryTranslation";
  return paging === "nested" ? "hardwareNested" : "hardwareShadow";
}

export function cpuOverheadPercent(technique: Technique, kind: WorkloadKind | undefined): number {
  return CPU_OVERHEAD[technique][kind ?? "cpu"].percent;
}

/** The CPU (MHz) the hypervisor spends to deliver `mhz` to the guest. */
export function cpuOverheadMhz(percent: number, mhz: number): number {
  return Math.ceil((percent * mhz) / 100);
}

/** Per-VM memory overhead in whole MB on a host of this profile, with this paging technique. */
export function memoryOverheadMb(profile: HypervisorProfile, paging: Paging, vcpus: number, memoryMb: number): number {
  const m = profile.memoryOverhead;
  return Math.ceil(m.baseMb + m.perVcpuMb * vcpus + (m.perGbMb[paging] * memoryMb) / 1024);
}
