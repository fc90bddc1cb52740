/**
 * What a running container takes from its host: its memory limit plus the kernel-sharing overhead,
 * held as a reservation (containers are not overcommitted, so hundreds fit a host only if their
 * limits do), and its CPU demand plus overhead as use. The shape is the VM footprint's, so hosts and
 * clusters account both alike (accounting.ts).
 */
import type { ContainerSpec } from "../../../schema/container";
import type { ContainerRecord } from "../kernel/model";
import type { Footprint } from "../guests/vm-footprint";
import { demandMhz } from "./host-scheduler";
import { containerOverheadCpuMhz, containerOverheadMemoryMb } from "./container-overhead";

export function containerFootprint(spec: ContainerSpec, host: string, cluster: string | null): Footprint {
  const memory = spec.memoryMb + containerOverheadMemoryMb(spec.memoryMb);
  const demand = demandMhz(spec);
  return {
    host,
    cluster,
    pool: null,
    cpuReservationMhz: 0,
    memoryReservationMb: memory,
    cpuOverheadReservedMhz: 0,
    cpuDemandMhz: demand,
    cpuOverheadMhz: containerOverheadCpuMhz(demand),
    memoryConsumedMb: memory,
    vcpus: 0,
    memoryMb: spec.memoryMb,
  };
}

/** The footprint of a stored container where it runs, or null when it runs nowhere. */
export function runningFootprint(c: ContainerRecord): Footprint | null {
  return c.status.currentHost === null ? null : containerFootprint(c.spec, c.status.currentHost, c.status.cluster);
}
