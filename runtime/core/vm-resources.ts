/**
 * What a virtual machine asks of the hardware: reservations (what admission control guarantees),
 * memory overhead (what the hypervisor needs beside the guest) and demand (what it uses now).
 */
import type { VmSpec } from "../../schema/virtual-machine";
import type { VmRecord } from "./model";

/**
 * Per-VM memory overhead in MB when the spec does not override it: a fixed part plus a part per vCPU
 * and per GB of guest memory, fitted to the magnitudes of the "Overhead Memory on Virtual Machines"
 * table of the vSphere Resource Management guide (e.g. about 26 MB for 1 vCPU / 1 GB, about 170 MB
 * for 4 vCPUs / 16 GB).
 */
export function modelledOverheadMb(vcpus: number, memoryMb: number): number {
  return Math.ceil(16 + 6 * vcpus + memoryMb / 128);
}

export function overheadMb(spec: VmSpec): number {
  return spec.memoryOverheadMb ?? modelledOverheadMb(spec.vcpus, spec.memoryMb);
}

/** The amounts a powered-on VM takes from its host, its pool chain and its cluster. */
export interface Footprint {
  host: string;
  cluster: string | null;
  pool: string | null;
  cpuReservationMhz: number;
  /** Memory reservation plus overhead: the overhead is always reserved for a running VM. */
  memoryReservationMb: number;
  cpuDemandMhz: number;
  memoryConsumedMb: number;
  vcpus: number;
  memoryMb: number;
}

export function footprintOf(spec: VmSpec, host: string, cluster: string | null): Footprint {
  const overhead = overheadMb(spec);
  const cpuDemand = spec.workload?.cpuDemandMhz ?? 0;
  const activeMemory = Math.min(spec.workload?.activeMemoryMb ?? spec.memoryMb, spec.memoryMb);
  return {
    host,
    cluster,
    pool: spec.pool ?? null,
    cpuReservationMhz: spec.cpu.reservationMhz,
    memoryReservationMb: spec.memory.reservationMb + overhead,
    cpuDemandMhz: Math.min(cpuDemand, spec.cpu.limitMhz ?? Infinity),
    memoryConsumedMb: Math.min(activeMemory, spec.memory.limitMb ?? Infinity) + overhead,
    vcpus: spec.vcpus,
    memoryMb: spec.memoryMb,
  };
}

/** The footprint of a stored VM, or null when it runs nowhere. */
export function currentFootprint(vm: VmRecord): Footprint | null {
  if (vm.status.powerState !== "on" || vm.status.currentHost === null) return null;
  return footprintOf(vm.spec, vm.status.currentHost, vm.status.cluster);
}
