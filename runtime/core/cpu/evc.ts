/**
 * CPU compatibility for live migration, and EVC. A running guest has read its CPU's identity and
 * features; it can only continue on a CPU of the same vendor that has every feature it sees (vCenter
 * Server and Host Management 6.7, "CPU Compatibility and EVC"). Without EVC a guest sees the
 * guest-visible features of the host it runs on; with EVC (VMware KB 1003212, "Enhanced VMotion
 * Compatibility (EVC) processor support") every host masks its CPU down to the cluster's baseline, so
 * guests see the baseline's features only and move between generations of one vendor, never across
 * vendors. A host that cannot meet the baseline cannot join. Powered-off moves and HA restarts boot
 * the guest again, which reads the new CPU, so they may cross (Broadcom KB 316536, "Migration to a
 * different processor"; restarts: a power-on).
 *
 * Features per baseline, each generation adding to the one before (first appearance per the vendors'
 * manuals): Merom (Core 2) SSE3, SSSE3; Penryn SSE4.1 (the 6.7 guide's one per-mode statement);
 * Nehalem SSE4.2, POPCNT; Westmere AES-NI, PCLMULQDQ (Intel white paper 323102); Sandy Bridge AVX;
 * Haswell AVX2, FMA, BMI, MOVBE. AMD Rev E and Rev F Opterons: SSE3 and 3DNow! (Rev F's additions,
 * RDTSCP and CMPXCHG16B, are outside this vocabulary, so the two masks coincide here); Greyhound
 * (family 10h) adds SSE4a and ABM (LZCNT, POPCNT); greyhound-no3dnow drops 3DNow!. Every baseline
 * includes 64-bit mode and NX/XD, which EVC requires enabled.
 */
import type { EvcMode } from "../../../schema/cluster";
import { type CpuFeature, GUEST_VISIBLE_CPU_FEATURES, type HostSpec } from "../../../schema/host";

type Vendor = HostSpec["cpu"]["vendor"];

const MEROM: CpuFeature[] = ["lm", "nx", "sse3", "ssse3"];
const PENRYN: CpuFeature[] = [...MEROM, "sse4.1"];
const NEHALEM: CpuFeature[] = [...PENRYN, "sse4.2", "popcnt"];
const WESTMERE: CpuFeature[] = [...NEHALEM, "aes", "pclmulqdq"];
const SANDY_BRIDGE: CpuFeature[] = [...WESTMERE, "avx"];
const REV_E: CpuFeature[] = ["lm", "nx", "sse3", "3dnow"];
const GREYHOUND_NO_3DNOW: CpuFeature[] = ["lm", "nx", "sse3", "sse4a", "abm", "popcnt"];

export const EVC_BASELINES: Record<EvcMode, { vendor: Vendor; features: readonly CpuFeature[] }> = {
  "intel-merom": { vendor: "intel", features: MEROM },
  "intel-penryn": { vendor: "intel", features: PENRYN },
  "intel-nehalem": { vendor: "intel", features: NEHALEM },
  "intel-westmere": { vendor: "intel", features: WESTMERE },
  "intel-sandybridge": { vendor: "intel", features: SANDY_BRIDGE },
  "intel-haswell": { vendor: "intel", features: [...SANDY_BRIDGE, "avx2", "fma", "bmi", "movbe"] },
  "amd-rev-e": { vendor: "amd", features: REV_E },
  "amd-rev-f": { vendor: "amd", features: REV_E },
  "amd-greyhound-no3dnow": { vendor: "amd", features: GREYHOUND_NO_3DNOW },
  "amd-greyhound": { vendor: "amd", features: [...GREYHOUND_NO_3DNOW, "3dnow"] },
};

/** The CPU a running guest sees: its vendor and features, and the host they come from. */
export interface GuestCpu {
  vendor: Vendor;
  features: readonly CpuFeature[];
  /** "esx1" or "esx1 under EVC intel-merom": where the features come from, for messages. */
  source: string;
}

/** What a guest running on `host` sees: the host's guest-visible features, or the EVC baseline's. */
export function guestCpuOn(hostName: string, host: HostSpec, evc: EvcMode | undefined): GuestCpu {
  if (evc !== undefined) return { vendor: host.cpu.vendor, features: EVC_BASELINES[evc].features, source: `${hostName} under EVC ${evc}` };
  return { vendor: host.cpu.vendor, features: GUEST_VISIBLE_CPU_FEATURES.filter((f) => host.cpu.features.includes(f)), source: hostName };
}

/** Why the guest cannot continue on `target`'s CPU by live migration (empty: it can). */
export function cpuMigrationObstacles(guest: GuestCpu, target: HostSpec): string[] {
  if (guest.vendor !== target.cpu.vendor)
    return [
      `CPU vendor ${target.cpu.vendor}, the VM runs on ${guest.vendor} (${guest.source}): live migration never crosses CPU vendors; power the VM off to move it`,
    ];
  const missing = guest.features.filter((f) => !target.cpu.features.includes(f));
  return missing.length === 0
    ? []
    : [`lacks CPU features ${missing.join(", ")} that the VM sees on ${guest.source}; an EVC baseline on the cluster would mask them`];
}

/** Why a host cannot run under the baseline (empty: it can): another vendor, or features below it. */
export function evcObstacles(mode: EvcMode, host: HostSpec): string[] {
  const baseline = EVC_BASELINES[mode];
  if (baseline.vendor !== host.cpu.vendor) return [`EVC mode ${mode} is for ${baseline.vendor} CPUs, the host's is ${host.cpu.vendor}`];
  const missing = baseline.features.filter((f) => !host.cpu.features.includes(f));
  return missing.length === 0 ? [] : [`the CPU lacks ${missing.join(", ")} of EVC mode ${mode}`];
}
