/**
 * Which virtualization mode a guest gets on a host, how its page tables are virtualized, and why;
 * or every reason it cannot run there. The facts come from the hypervisor profile table
 * (hypervisors/profiles.ts); this module only applies them.
 * Glossary: PV = paravirtualization, HVM = hardware virtual machine (VT-x "vmx" / AMD-V "svm"),
 * BT = binary translation, EPT/NPT = nested paging.
 */
import type { HostSpec } from "../../../schema/host";
import type { VmSpec } from "../../../schema/virtual-machine";
import { type HypervisorProfile, type Paging, type ResolvedMode, profileOf, runsVirtualMachines } from "../hypervisors/profiles";

export type { Paging, ResolvedMode };

/** Why a guest cannot run: a stable code (tests and programs branch on it) and a sentence. */
export type ObstacleCode =
  | "containersOnly"
  | "guestArchUnsupported"
  | "hostNot64Bit"
  | "tooManyVcpusForHost"
  | "tooManyVcpusForProduct"
  | "tooMuchMemoryForProduct"
  | "nestedPagingRequired"
  | "modeNotOffered"
  | "noHardwareAssist"
  | "hardwareAssistNotFor32Bit"
  | "noParavirtualKernel"
  | "binaryTranslationNo64BitIntel";

export interface Obstacle {
  code: ObstacleCode;
  text: string;
}

export interface Resolution {
  mode: ResolvedMode;
  paging: Paging;
  profile: HypervisorProfile;
}

export type Verdict = { ok: true; resolution: Resolution; reason: string } | { ok: false; obstacles: Obstacle[] };

const HARDWARE_FEATURE = { intel: "vmx", amd: "svm" } as const;
const NESTED_FEATURE = { intel: "ept", amd: "npt" } as const;
const FEATURE_NAME = { vmx: "vmx (Intel VT-x)", svm: "svm (AMD-V)", ept: "ept (Intel EPT)", npt: "npt (AMD NPT)" } as const;
const MODE_NAME: Record<ResolvedMode, string> = {
  full: "full virtualization (binary translation)",
  paravirtual: "paravirtualization",
  hardware: "hardware assistance",
};

export function hasHardwareAssist(host: HostSpec): boolean {
  return host.cpu.features.includes(HARDWARE_FEATURE[host.cpu.vendor]);
}

function hasNestedPaging(host: HostSpec): boolean {
  return host.cpu.features.includes(NESTED_FEATURE[host.cpu.vendor]);
}

const label = (p: HypervisorProfile) => `${p.hypervisor} ${p.version}`;
const cores = (host: HostSpec) => host.cpu.sockets * host.cpu.coresPerSocket;

/**
 * The product's per-guest memory limit, apart from the rest: placement memoizes resolutions per guest
 * shape without the memory size and checks this on every host instead.
 */
export function memoryLimitObstacle(p: HypervisorProfile, memoryMb: number): Obstacle | undefined {
  if (p.maxMemoryMb === undefined || memoryMb <= p.maxMemoryMb) return undefined;
  return { code: "tooMuchMemoryForProduct", text: `${label(p)} gives a guest at most ${p.maxMemoryMb} MB, the VM has ${memoryMb} MB` };
}

/** What keeps the guest off this host whatever the mode. */
function hostObstacles(p: HypervisorProfile, host: HostSpec, vm: VmSpec, checkMemory: boolean): Obstacle[] {
  const found: Obstacle[] = [];
  if (!p.guestArchs.includes(vm.guestArch))
    found.push({ code: "guestArchUnsupported", text: `${label(p)} runs ${p.guestArchs.join(" and ")} guests only, not ${vm.guestArch}` });
  if (vm.guestArch === "x86_64" && !host.cpu.features.includes("lm"))
    found.push({ code: "hostNot64Bit", text: "64-bit guests need a 64-bit host CPU (lm)" });
  if (vm.vcpus > cores(host))
    found.push({ code: "tooManyVcpusForHost", text: `needs ${vm.vcpus} vCPUs, the host has ${cores(host)} cores` });
  const memory = checkMemory ? memoryLimitObstacle(p, vm.memoryMb) : undefined;
  if (memory) found.push(memory);
  if (p.requiresNestedPaging && !hasNestedPaging(host))
    found.push({
      code: "nestedPagingRequired",
      text: `${label(p)} needs ${FEATURE_NAME[NESTED_FEATURE[host.cpu.vendor]]} on the host CPU`,
    });
  return found;
}

/** What keeps this mode from the guest on this host (empty: the mode is available). */
function modeObstacles(mode: ResolvedMode, p: HypervisorProfile, host: HostSpec, vm: VmSpec): Obstacle[] {
  if (!p.modes.includes(mode)) return [{ code: "modeNotOffered", text: `${label(p)} does not offer ${MODE_NAME[mode]}` }];
  const found: Obstacle[] = [];
  switch (mode) {
    case "hardware":
      if (!hasHardwareAssist(host))
        found.push({
          code: "noHardwareAssist",
          text: `hardware mode needs ${FEATURE_NAME[HARDWARE_FEATURE[host.cpu.vendor]]} on the host CPU`,
        });
      if (!p.hardwareAssistFor.includes(vm.guestArch))
        found.push({
          code: "hardwareAssistNotFor32Bit",
          text: `${label(p)} uses hardware assistance for ${p.hardwareAssistFor.join(" and ")} guests only`,
        });
      break;
    case "paravirtual":
      if (!p.paravirtualGuests.includes(vm.guestOs))
        found.push({
          code: "noParavirtualKernel",
          text: `${vm.guestOs} guests cannot be paravirtualized (no kernel ported to ${p.hypervisor})`,
        });
      break;
    case "full":
      // Intel's long mode drops the segment limits BT relies on to protect the monitor (Adams & Agesen 2006).
      if (vm.guestArch === "x86_64" && host.cpu.vendor === "intel")
        found.push({
          code: "binaryTranslationNo64BitIntel",
          text: "64-bit guests on Intel CPUs need VT-x: binary translation cannot run them",
        });
      break;
  }
  const limit = p.maxVcpus[mode];
  if (limit !== undefined && vm.vcpus > limit)
    found.push({
      code: "tooManyVcpusForProduct",
      text: `${label(p)} gives a ${mode} guest at most ${limit} vCPUs, the VM has ${vm.vcpus}`,
    });
  return found;
}

function pagingFor(mode: ResolvedMode, p: HypervisorProfile, host: HostSpec): Paging {
  if (mode === "paravirtual") return "direct";
  return mode === "hardware" && p.nestedPaging && hasNestedPaging(host) ? "nested" : "shadow";
}

function describe(mode: ResolvedMode, paging: Paging, host: HostSpec): string {
  const how = mode === "hardware" ? `${MODE_NAME.hardware} (${HARDWARE_FEATURE[host.cpu.vendor]})` : MODE_NAME[mode];
  const tables =
    paging === "nested"
      ? `nested paging (${NESTED_FEATURE[host.cpu.vendor]})`
      : paging === "direct"
        ? "direct paging (the guest's own page tables, validated by the hypervisor)"
        : "shadow page tables";
  return `${how} with ${tables}`;
}

/**
 * Verdicts per host spec and guest shape: power-on, migration and DRS ask the same question for
 * thousands of VMs, and specs are immutable values, so an entry lives as long as its host spec.
 * The verdicts are shared: callers read them and never change them.
 */
const verdicts = new WeakMap<HostSpec, Map<string, Verdict>>();

/** The mode the guest runs in on this host and why, or every obstacle. */
export function resolveVirtualization(host: HostSpec, vm: VmSpec): Verdict {
  let byGuest = verdicts.get(host);
  if (byGuest === undefined) verdicts.set(host, (byGuest = new Map()));
  // Every guest field resolve() reads.
  const key = `${vm.guestOs}/${vm.guestArch}/${vm.virtualization}/${vm.vcpus}/${vm.memoryMb}`;
  let verdict = byGuest.get(key);
  if (verdict === undefined) byGuest.set(key, (verdict = resolve(host, vm, true)));
  return verdict;
}

/** As resolveVirtualization, leaving out the per-guest memory limit (see memoryLimitObstacle). */
export function resolveIgnoringMemoryLimit(host: HostSpec, vm: VmSpec): Verdict {
  return resolve(host, vm, false);
}

function resolve(host: HostSpec, vm: VmSpec, checkMemory: boolean): Verdict {
  const p = profileOf(host);
  if (!runsVirtualMachines(p))
    return { ok: false, obstacles: [{ code: "containersOnly", text: `${label(p)} runs OS-level containers only, not virtual machines` }] };
  const blocking = hostObstacles(p, host, vm, checkMemory);
  const candidates = vm.virtualization === "auto" ? p.modes : [vm.virtualization];
  const skipped: string[] = [];
  const modeProblems: Obstacle[] = [];
  for (const mode of candidates) {
    const problems = modeObstacles(mode, p, host, vm);
    // A mode that would do but for the host: only the host's reasons apply, not the other modes'.
    if (problems.length === 0 && blocking.length > 0) return { ok: false, obstacles: blocking };
    if (problems.length === 0) {
      const paging = pagingFor(mode, p, host);
      const asked =
        vm.virtualization === "auto" ? `auto on ${label(p)} (prefers ${p.modes.join(", ")})` : `requested ${mode} on ${label(p)}`;
      const reason = [asked, ...skipped, describe(mode, paging, host)].join("; ");
      return { ok: true, resolution: { mode, paging, profile: p }, reason };
    }
    skipped.push(`${mode} unavailable (${problems.map((o) => o.text).join("; ")})`);
    modeProblems.push(...problems);
  }
  return { ok: false, obstacles: [...blocking, ...modeProblems] };
}

/** Everything that keeps the guest off this host (empty when it can run there). */
export function incompatibilities(host: HostSpec, vm: VmSpec): string[] {
  const verdict = resolveVirtualization(host, vm);
  return verdict.ok ? [] : verdict.obstacles.map((o) => o.text);
}
