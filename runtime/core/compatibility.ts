/**
 * Which virtualization mode a guest gets on a host, or why it cannot run there.
 * Glossary: PV = paravirtualization (modified guest kernel calls the hypervisor), HVM = hardware
 * virtual machine (unmodified guest, needs Intel VT-x "vmx" or AMD-V "svm"), BT = binary translation
 * (full virtualization in software, as VMware ESX does without CPU support).
 */
import type { HostSpec } from "../../schema/host";
import type { GuestOs, VmSpec } from "../../schema/virtual-machine";

export type ResolvedMode = "full" | "paravirtual" | "hardware";

/** Guests whose kernels were ported to Xen's paravirtual interface. */
const PARAVIRTUAL_GUESTS: ReadonlySet<GuestOs> = new Set(["linux", "netbsd", "freebsd", "solaris"]);

/** Modes each hypervisor offers, in the order `auto` prefers them. */
const MODES: Record<HostSpec["hypervisor"], readonly ResolvedMode[]> = {
  esx: ["hardware", "full"],
  virtualServer: ["full"],
  xen: ["paravirtual", "hardware"],
  kvm: ["hardware"],
  hyperv: ["hardware"],
  openvz: [],
  virtuozzo: [],
  zones: [],
};

export function hasHardwareAssist(host: HostSpec): boolean {
  return host.cpu.features.includes(host.cpu.vendor === "intel" ? "vmx" : "svm");
}

/** Why `mode` is unavailable for this guest on this host, or undefined when it is available. */
function modeObstacle(mode: ResolvedMode, host: HostSpec, vm: VmSpec): string | undefined {
  switch (mode) {
    case "hardware":
      return hasHardwareAssist(host) ? undefined : `hardware mode needs ${host.cpu.vendor === "intel" ? "vmx (Intel VT-x)" : "svm (AMD-V)"} on the host CPU`;
    case "paravirtual":
      return PARAVIRTUAL_GUESTS.has(vm.guestOs) ? undefined : `${vm.guestOs} guests cannot be paravirtualized (the kernel is not modified for Xen)`;
    case "full":
      // Binary translation of 64-bit guests relied on VT-x on Intel CPUs (AMD64 kept segment limits).
      return vm.guestArch === "x86_64" && host.cpu.vendor === "intel" && !hasHardwareAssist(host)
        ? "64-bit guests on Intel CPUs need vmx (Intel VT-x) even with binary translation"
        : undefined;
  }
}

const cores = (host: HostSpec) => host.cpu.sockets * host.cpu.coresPerSocket;

/** Limits that hold whatever the mode: each a test and the reason shown when it fails. */
const HOST_RULES: readonly { violated(host: HostSpec, vm: VmSpec): boolean; reason(host: HostSpec, vm: VmSpec): string }[] = [
  { violated: (h) => MODES[h.hypervisor].length === 0, reason: (h) => `${h.hypervisor} hosts run OS-level containers only, not virtual machines` },
  { violated: (h, vm) => vm.vcpus > cores(h), reason: (h, vm) => `needs ${vm.vcpus} vCPUs, the host has ${cores(h)} cores` },
  { violated: (h, vm) => vm.guestArch === "x86_64" && !h.cpu.features.includes("lm"), reason: () => "64-bit guests need a 64-bit host CPU (lm)" },
  { violated: (h, vm) => h.hypervisor === "virtualServer" && vm.guestArch !== "x86", reason: () => "Virtual Server runs 32-bit guests only" },
  { violated: (h, vm) => h.hypervisor === "virtualServer" && vm.vcpus > 1, reason: () => "Virtual Server gives each guest one vCPU" },
];

function candidateModes(host: HostSpec, vm: VmSpec): readonly ResolvedMode[] {
  return vm.virtualization === "auto" ? MODES[host.hypervisor] : [vm.virtualization];
}

/** The mode the guest runs in on this host, or undefined when it cannot run there. Allocation-free: placement calls it per host. */
export function resolveMode(host: HostSpec, vm: VmSpec): ResolvedMode | undefined {
  for (let i = 0; i < HOST_RULES.length; i++) if (HOST_RULES[i].violated(host, vm)) return undefined;
  const offered = MODES[host.hypervisor];
  const modes = candidateModes(host, vm);
  for (let i = 0; i < modes.length; i++) {
    if (offered.includes(modes[i]) && modeObstacle(modes[i], host, vm) === undefined) return modes[i];
  }
  return undefined;
}

/** Everything that keeps the guest off this host (empty when it can run there). */
export function incompatibilities(host: HostSpec, vm: VmSpec): string[] {
  if (resolveMode(host, vm) !== undefined) return [];
  const obstacles = HOST_RULES.filter((r) => r.violated(host, vm)).map((r) => r.reason(host, vm));
  const offered = MODES[host.hypervisor];
  const modeProblems = candidateModes(host, vm).map((m) => (offered.includes(m) ? modeObstacle(m, host, vm) : `${host.hypervisor} does not offer ${m} virtualization`));
  return [...obstacles, ...modeProblems.filter((p): p is string => p !== undefined)];
}
