/**
 * Which virtualization mode a guest gets on a host, or why it cannot run there.
 * Glossary: PV = paravirtualization (modified guest kernel calls the hypervisor), HVM = hardware
 * virtual machine (unmodified guest, needs Intel VT-x "vmx" or AMD-V "svm"), BT = binary translation
 * (full virtualization in software, as VMware ESX does without CPU support).
 */
import type { HostSpec } from "../../schema/host";
import type { GuestOs, VmSpec } from "../../schema/virtual-machine";

export type ResolvedMode = "full" | "paravirtual" | "hardware";

export type Resolution = { ok: true; mode: ResolvedMode; reason: string } | { ok: false; missing: string[] };

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

export function resolveVirtualization(host: HostSpec, vm: VmSpec): Resolution {
  const offered = MODES[host.hypervisor];
  if (offered.length === 0) return { ok: false, missing: [`${host.hypervisor} hosts run OS-level containers only, not virtual machines`] };

  const missing: string[] = [];
  const cores = host.cpu.sockets * host.cpu.coresPerSocket;
  if (vm.vcpus > cores) missing.push(`needs ${vm.vcpus} vCPUs, the host has ${cores} cores`);
  if (vm.guestArch === "x86_64" && !host.cpu.features.includes("lm")) missing.push("64-bit guests need a 64-bit host CPU (lm)");
  if (host.hypervisor === "virtualServer") {
    if (vm.guestArch !== "x86") missing.push("Virtual Server runs 32-bit guests only");
    if (vm.vcpus > 1) missing.push("Virtual Server gives each guest one vCPU");
  }

  const wanted = vm.virtualization === "auto" ? offered : [vm.virtualization];
  const obstacles: string[] = [];
  const mode = wanted.find((m) => {
    const obstacle = offered.includes(m) ? modeObstacle(m, host, vm) : `${host.hypervisor} does not offer ${m} virtualization`;
    if (obstacle) obstacles.push(obstacle);
    return obstacle === undefined;
  });
  if (mode && missing.length === 0) {
    return { ok: true, mode, reason: `${mode} on ${host.hypervisor} (${vm.virtualization === "auto" ? "auto: first available" : "requested"})` };
  }
  return { ok: false, missing: mode ? missing : [...missing, ...obstacles] };
}
