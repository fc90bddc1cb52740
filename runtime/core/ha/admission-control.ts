/**
 * HA admission control: the arithmetic of the vSphere Availability guide's policies over a
 * cluster's usable hosts and its HA demand (ha/demand.ts), and what each policy refuses.
 *
 * - slotPolicy ("host failures cluster tolerates"): a slot is the largest CPU reservation
 *   (vmCpuMinMhz for a VM without one) by the largest memory reservation plus overhead; a host holds
 *   min(floor(cpu / slot cpu), floor(memory / slot memory)) slots; the current failover capacity is
 *   how many hosts, taken from the one with most slots down, can fail and leave a slot for every
 *   powered-on VM. A power-on that would bring it below hostFailuresToTolerate is refused.
 * - resourcePercentage: the current CPU (memory) failover percentage is (capacity - reservations) /
 *   capacity, with vmCpuMinMhz for a VM without a CPU reservation; a power-on that would leave either
 *   below its configured percentage is refused. Without cpuPercent/memoryPercent, the percentage is
 *   the share of the hostFailuresToTolerate largest hosts, rounded up (F/N for N equal hosts, the
 *   guide's advice).
 * - failoverHosts: nothing to compute; the FailoverHosts placement filter keeps power-ons off them.
 * Only usable hosts count (connected: not in maintenance, failed, isolated or standby). Restarts
 * after a failure are not held to the policy: "when a failure occurs vSphere HA uses whatever
 * capacity is available" (vSphere Availability guide, vSphere HA Admission Control).
 */
import type { HostCapacity } from "../allocation/usable-hosts";
import type { ClusterSpec } from "../../../schema/cluster";
import type { ClusterHaStatus } from "../../../schema/cluster";
import { compareNames } from "../kernel/model";
import type { DemandTotals } from "./demand";

export type HaFigures = Omit<ClusterHaStatus, "restartsInProgress" | "pendingRestarts">;

type AdmissionSettings = ClusterSpec["ha"]["admissionControl"];

export function isEnforced(spec: ClusterSpec): boolean {
  return spec.ha.enabled && spec.ha.admissionControl.policy !== "disabled";
}

function slotSize(ac: AdmissionSettings, demand: DemandTotals): { cpu: number; memory: number } {
  if (demand.vms === 0) return { cpu: ac.vmCpuMinMhz, memory: 0 };
  const cpu = Math.max(demand.largestCpuMhz, demand.vmsWithoutCpuReservation > 0 ? ac.vmCpuMinMhz : 0);
  return { cpu, memory: demand.largestMemoryMb };
}

/** Slots of each host; a slot without memory (no VM reserves any) is bounded by CPU alone. */
function slotsOf(host: HostCapacity, slot: { cpu: number; memory: number }): number {
  const byCpu = Math.floor(host.cpuMhz / slot.cpu);
  return slot.memory > 0 ? Math.min(byCpu, Math.floor(host.memoryMb / slot.memory)) : byCpu;
}

/** Hosts with most slots first, ties by name: the order in which the guide takes them away. */
function largestFirst(hosts: readonly HostCapacity[], slots: Record<string, number>): HostCapacity[] {
  return [...hosts].sort((a, b) => slots[b.name] - slots[a.name] || compareNames(a.name, b.name));
}

/**
 * Whole-number values (slots, MHz, MB) as distinct values largest first with how many hosts have each:
 * hosts come in a few models, so this costs one pass over thousands of hosts, not a sort of them.
 */
type Histogram = [value: number, count: number][];

function histogram(values: readonly number[]): Histogram {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[0] - a[0]);
}

/** The sum of the `k` largest values. */
function sumOfLargest(h: Histogram, k: number): number {
  let sum = 0;
  for (const [value, count] of h) {
    if (k <= 0) break;
    const taken = Math.min(count, k);
    sum += value * taken;
    k -= taken;
  }
  return sum;
}

/** How many hosts, largest first, can fail while at least `used` slots remain. */
function failoverCapacity(slots: Histogram, total: number, used: number): number {
  let remaining = total;
  let failed = 0;
  for (const [value, count] of slots) {
    const spare = remaining - used;
    const fit = spare < 0 ? 0 : value === 0 ? count : Math.min(count, Math.floor(spare / value));
    failed += fit;
    remaining -= fit * value;
    if (fit < count) break;
  }
  return failed;
}

/** The share (in percent, rounded up) of a dimension held by the `failures` largest hosts. */
function computedPercent(hosts: readonly HostCapacity[], failures: number, of: (h: HostCapacity) => number): number {
  const values = hosts.map(of);
  const total = values.reduce((sum, v) => sum + v, 0);
  if (total === 0 || failures >= hosts.length) return 100;
  return Math.ceil((sumOfLargest(histogram(values), failures) * 100) / total);
}

/** Free share of capacity in percent, truncated as the guide prints it. */
function freePercent(capacity: number, reserved: number): number {
  return capacity > 0 ? Math.trunc(((capacity - reserved) * 100) / capacity) : 0;
}

export function cpuDemandMhz(ac: AdmissionSettings, demand: DemandTotals): number {
  return demand.cpuMhz + demand.vmsWithoutCpuReservation * ac.vmCpuMinMhz;
}

/** The full arithmetic of every policy for a cluster, whatever policy is configured. */
export function haFigures(spec: ClusterSpec, hosts: readonly HostCapacity[], demand: DemandTotals): HaFigures {
  const ac = spec.ha.admissionControl;
  const slot = slotSize(ac, demand);
  const slots = hosts.map((h) => slotsOf(h, slot));
  const totalSlots = slots.reduce((sum, n) => sum + n, 0);
  // Hosts fail with most slots first (the names of those that fail are only shown: slotArithmetic).
  const bySlots = histogram(slots);
  const reservedForFailover = sumOfLargest(bySlots, ac.hostFailuresToTolerate);
  let slotsPerHost: Record<string, number> | undefined;
  const cpuCapacity = hosts.reduce((sum, h) => sum + h.cpuMhz, 0);
  const memoryCapacity = hosts.reduce((sum, h) => sum + h.memoryMb, 0);
  return {
    policy: ac.policy,
    enforced: isEnforced(spec),
    hostFailuresToTolerate: ac.hostFailuresToTolerate,
    slotCpuMhz: slot.cpu,
    slotMemoryMb: slot.memory,
    // Built when read (shown, or explaining a refusal): an admission check at thousands of hosts reads only the totals.
    get slotsPerHost() {
      slotsPerHost ??= Object.fromEntries(hosts.map((h, i) => [h.name, slots[i]]));
      return slotsPerHost;
    },
    totalSlots,
    usedSlots: demand.vms,
    availableSlots: Math.max(0, totalSlots - demand.vms - reservedForFailover),
    currentFailoverCapacity: failoverCapacity(bySlots, totalSlots, demand.vms),
    cpuFailoverPercent: freePercent(cpuCapacity, cpuDemandMhz(ac, demand)),
    memoryFailoverPercent: freePercent(memoryCapacity, demand.memoryMb),
    configuredCpuFailoverPercent: ac.cpuPercent ?? computedPercent(hosts, ac.hostFailuresToTolerate, (h) => h.cpuMhz),
    configuredMemoryFailoverPercent: ac.memoryPercent ?? computedPercent(hosts, ac.hostFailuresToTolerate, (h) => h.memoryMb),
  };
}

/**
 * Why the cluster breaks its enforced policy, as the arithmetic in lines; empty when it does not.
 * `hosts` and `demand` are those `figures` were computed from.
 */
export function policyViolation(spec: ClusterSpec, figures: HaFigures, hosts: readonly HostCapacity[], demand: DemandTotals): string[] {
  if (!figures.enforced) return [];
  const ac = spec.ha.admissionControl;
  if (ac.policy === "slotPolicy" && figures.currentFailoverCapacity < ac.hostFailuresToTolerate) {
    return slotArithmetic(figures, hosts);
  }
  if (ac.policy === "resourcePercentage") {
    const cpuCapacity = hosts.reduce((sum, h) => sum + h.cpuMhz, 0);
    const memoryCapacity = hosts.reduce((sum, h) => sum + h.memoryMb, 0);
    const cpuShort = figures.cpuFailoverPercent < figures.configuredCpuFailoverPercent;
    const memoryShort = figures.memoryFailoverPercent < figures.configuredMemoryFailoverPercent;
    if (!cpuShort && !memoryShort) return [];
    const line = (what: string, capacity: number, reserved: number, unit: string, current: number, target: number, short: boolean) =>
      `${what}: (${capacity} ${unit} - ${reserved} ${unit} reserved) / ${capacity} ${unit} = ${current}% free; the policy keeps ${target}% free${short ? " (short)" : ""}`;
    return [
      line("CPU", cpuCapacity, cpuDemandMhz(ac, demand), "MHz", figures.cpuFailoverPercent, figures.configuredCpuFailoverPercent, cpuShort),
      line(
        "memory",
        memoryCapacity,
        demand.memoryMb,
        "MB",
        figures.memoryFailoverPercent,
        figures.configuredMemoryFailoverPercent,
        memoryShort,
      ),
      `${guestsCounted(demand)}; VMs without a CPU reservation count ${ac.vmCpuMinMhz} MHz (vmCpuMinMhz)${demand.containers ? ", containers too" : ""}; ${hosts.length} usable hosts`,
    ];
  }
  return [];
}

/** "5 powered-on VMs", or "3 powered-on VMs and 2 containers" when containers count too. */
function guestsCounted(demand: DemandTotals): string {
  const containers = demand.containers ?? 0;
  return containers === 0 ? `${demand.vms} powered-on VMs` : `${demand.vms - containers} powered-on VMs and ${containers} containers`;
}

/** The slot policy's arithmetic, for refusals and for the CLI. */
export function slotArithmetic(figures: HaFigures, hosts: readonly HostCapacity[]): string[] {
  const perHost = hosts.map((h) => `${h.name} ${figures.slotsPerHost[h.name]}`).join(", ");
  const ordered = largestFirst(hosts, figures.slotsPerHost);
  const lost = ordered.slice(0, figures.hostFailuresToTolerate);
  const left = figures.totalSlots - lost.reduce((sum, h) => sum + figures.slotsPerHost[h.name], 0);
  return [
    `slot size ${figures.slotCpuMhz} MHz x ${figures.slotMemoryMb} MB (largest CPU reservation, at least vmCpuMinMhz; largest memory reservation plus overhead)`,
    `slots per host: ${perHost || "no usable host"}; ${figures.totalSlots} in all, ${figures.usedSlots} used by powered-on VMs`,
    `losing the ${lost.length} host(s) with most slots (${lost.map((h) => h.name).join(", ") || "none"}) leaves ${left} slots for ${figures.usedSlots} VMs: ` +
      `current failover capacity ${figures.currentFailoverCapacity} host failure(s), configured ${figures.hostFailuresToTolerate}`,
  ];
}
