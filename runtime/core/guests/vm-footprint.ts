/**
 * What a virtual machine asks of the hardware: reservations (what admission control guarantees),
 * overhead (what the hypervisor needs beside the guest, which depends on the host's technique) and
 * demand (what it uses now).
 */
import type { HostSpec } from "../../../schema/host";
import type { VmSpec } from "../../../schema/virtual-machine";
import { type Resolution, resolveVirtualization } from "./guest-compatibility";
import type { VmRecord } from "../kernel/model";
import { cpuOverheadMhz, cpuOverheadPercent, memoryOverheadMb, techniqueOf } from "./virtualization-overhead";
import type { StoredVmStatus } from "../kernel/model";

/** The hypervisor's cost for one guest on one host. */
export interface GuestCost {
  overheadMemoryMb: number;
  overheadCpuPercent: number;
}

/** The modelled memory overhead on a host of this resolution; the spec's `memoryOverheadMb` overrides it. */
export function overheadMemoryFor(spec: VmSpec, r: Resolution): number {
  return spec.memoryOverheadMb ?? memoryOverheadMb(r.profile, r.paging, spec.vcpus, spec.memoryMb);
}

/** The CPU overhead percentage: by technique and workload kind. */
export function overheadCpuPercentFor(spec: VmSpec, r: Resolution): number {
  return cpuOverheadPercent(techniqueOf(r.mode, r.paging, r.profile), spec.workload?.kind);
}

export function guestCost(spec: VmSpec, resolution: Resolution): GuestCost {
  return { overheadMemoryMb: overheadMemoryFor(spec, resolution), overheadCpuPercent: overheadCpuPercentFor(spec, resolution) };
}

/** The guest's cost on a host, or undefined when it cannot run there. */
export function guestCostOnHost(spec: VmSpec, host: HostSpec): GuestCost | undefined {
  const verdict = resolveVirtualization(host, spec);
  return verdict.ok ? guestCost(spec, verdict.resolution) : undefined;
}

/** The amounts a powered-on VM takes from its host, its pool chain and its cluster. */
export interface Footprint {
  host: string;
  cluster: string | null;
  pool: string | null;
  /** The VM's own reservation: what pools and the cluster account. */
  cpuReservationMhz: number;
  /** Memory reservation plus overhead: the overhead is always reserved for a running VM. */
  memoryReservationMb: number;
  /** The hypervisor's CPU for delivering the reservation: reserved on the host only. */
  cpuOverheadReservedMhz: number;
  cpuDemandMhz: number;
  /** The hypervisor's CPU for delivering the demand: used on the host. */
  cpuOverheadMhz: number;
  memoryConsumedMb: number;
  vcpus: number;
  memoryMb: number;
}

export function footprintOf(spec: VmSpec, host: string, cluster: string | null, cost: GuestCost): Footprint {
  const cpuDemand = Math.min(spec.workload?.cpuDemandMhz ?? 0, spec.cpu.limitMhz ?? Infinity);
  const activeMemory = Math.min(spec.workload?.activeMemoryMb ?? spec.memoryMb, spec.memoryMb);
  return {
    host,
    cluster,
    pool: spec.pool ?? null,
    cpuReservationMhz: spec.cpu.reservationMhz,
    memoryReservationMb: spec.memory.reservationMb + cost.overheadMemoryMb,
    cpuOverheadReservedMhz: cpuOverheadMhz(cost.overheadCpuPercent, spec.cpu.reservationMhz),
    cpuDemandMhz: cpuDemand,
    cpuOverheadMhz: cpuOverheadMhz(cost.overheadCpuPercent, cpuDemand),
    memoryConsumedMb: Math.min(activeMemory, spec.memory.limitMb ?? Infinity) + cost.overheadMemoryMb,
    vcpus: spec.vcpus,
    memoryMb: spec.memoryMb,
  };
}

/** The cost recorded in a VM's status: on the host it runs on, or last ran on. */
export function recordedCost(status: StoredVmStatus): GuestCost {
  return { overheadMemoryMb: status.overheadMemoryMb, overheadCpuPercent: status.overheadCpuPercent };
}

/** The footprint of a stored VM where it runs, or null when it runs nowhere. */
export function currentFootprint(vm: VmRecord): Footprint | null {
  if (vm.status.powerState !== "on" || vm.status.currentHost === null) return null;
  return footprintOf(vm.spec, vm.status.currentHost, vm.status.cluster, recordedCost(vm.status));
}

/**
 * What a VM being live-migrated already holds on its target host, or null: its reservations and the
 * memory being copied in, but no CPU demand yet (it still runs on the source).
 */
export function incomingFootprint(vm: VmRecord): Footprint | null {
  const m = vm.status.migration;
  if (m === null || m.kind !== "live") return null;
  const cost = { overheadMemoryMb: m.targetOverheadMemoryMb, overheadCpuPercent: m.targetOverheadCpuPercent };
  return { ...footprintOf(vm.spec, m.toHost, vm.status.cluster, cost), cpuDemandMhz: 0, cpuOverheadMhz: 0 };
}
