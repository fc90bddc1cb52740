/**
 * A VM as a claimant of CPU and memory: its shares (presets per vCPU / per MB), its reservation, its
 * limit and its demand now. On a host every figure carries the hypervisor's overhead there (CPU: the
 * overhead percentage of the technique; memory: the overhead MB, always reserved), because that is
 * what the VM takes from the host: entitlements, usage and DRS load all count it.
 */
import type { VmSpec } from "../../../schema/virtual-machine";
import type { Dimension } from "./accounting";
import type { VmRecord } from "../kernel/model";
import { cpuOverheadMhz } from "../guests/virtualization-overhead";
import { type GuestCost, recordedCost } from "../guests/vm-footprint";
import { type Claim, ceilingOf, wholeUnits } from "./divide";
import { vmShares } from "./shares";
import type { StoredVmStatus } from "../kernel/model";

export type VmClaims = Record<Dimension, Claim>;

/** The guest's own claims, before any host's overhead: what placement knows before it picks a host. */
export function guestClaims(spec: VmSpec, cpuDemandMhz: number): VmClaims {
  const memoryLimit = Math.min(spec.memory.limitMb ?? spec.memoryMb, spec.memoryMb);
  return {
    cpu: {
      shares: vmShares(spec.cpu.shares, "cpu", spec.vcpus, spec.memoryMb),
      reservation: spec.cpu.reservationMhz,
      limit: spec.cpu.limitMhz ?? Infinity,
      demand: cpuDemandMhz,
    },
    memory: {
      shares: vmShares(spec.memory.shares, "memory", spec.vcpus, spec.memoryMb),
      reservation: spec.memory.reservationMb,
      limit: memoryLimit,
      demand: Math.min(spec.workload?.activeMemoryMb ?? spec.memoryMb, memoryLimit),
    },
  };
}

/** CPU the host spends to give the guest `mhz`: the guest's share plus the hypervisor's percentage of it. */
export function hostCpuMhz(mhz: number, overheadCpuPercent: number): number {
  return Number.isFinite(mhz) ? mhz + cpuOverheadMhz(overheadCpuPercent, mhz) : mhz;
}

/**
 * The guest's part of `hostMhz` the host gives a VM, the rest being the hypervisor's overhead: the
 * inverse of hostCpuMhz, rounded down (exact for the uncontended figures, whose overhead was rounded up).
 */
export function guestCpuMhz(hostMhz: number, overheadCpuPercent: number): number {
  return wholeUnits((hostMhz * 100) / (100 + overheadCpuPercent));
}

/** Claims as the host sees them, with the cost of running the guest there. */
export function claimsOnHost(guest: VmClaims, cost: GuestCost): VmClaims {
  const p = cost.overheadCpuPercent;
  const m = cost.overheadMemoryMb;
  return {
    cpu: {
      shares: guest.cpu.shares,
      reservation: hostCpuMhz(guest.cpu.reservation, p),
      limit: hostCpuMhz(guest.cpu.limit, p),
      demand: hostCpuMhz(guest.cpu.demand, p),
    },
    memory: {
      shares: guest.memory.shares,
      reservation: guest.memory.reservation + m,
      limit: guest.memory.limit + m,
      demand: guest.memory.demand + m,
    },
  };
}

/**
 * Claims memoized per record (records are immutable values, so a VM unchanged since the last pass is
 * not recomputed) and per spec with the status they were worked out from: a new version of a VM that
 * changes neither its spec, its demand nor its cost on its host (a new entitlement or usage, most
 * versions a pass writes) finds them there. Entries go with their records and specs.
 */
const byRecord = new WeakMap<VmRecord, VmClaims>();
const bySpec = new WeakMap<VmSpec, { status: StoredVmStatus; claims: VmClaims }>();

/** A running VM's claims on the host it runs on. */
export function vmClaims(vm: VmRecord): VmClaims {
  let claims = byRecord.get(vm);
  if (claims !== undefined) return claims;
  const s = vm.status;
  const known = bySpec.get(vm.spec);
  if (known !== undefined && sameClaimFigures(known.status, s)) claims = known.claims;
  else {
    claims = claimsOnHost(guestClaims(vm.spec, s.cpuDemandMhz), recordedCost(s));
    bySpec.set(vm.spec, { status: s, claims });
  }
  byRecord.set(vm, claims);
  return claims;
}

/** Whether two statuses of one VM give the same claims: the same demand and the same cost on the host. */
const sameClaimFigures = (a: StoredVmStatus, b: StoredVmStatus) =>
  a.cpuDemandMhz === b.cpuDemandMhz && a.overheadMemoryMb === b.overheadMemoryMb && a.overheadCpuPercent === b.overheadCpuPercent;

/** Entitlement without contention (every claim at its ceiling), whole MHz and MB. */
export function uncontended(claims: VmClaims): { cpuEntitlementMhz: number; memoryEntitlementMb: number } {
  return { cpuEntitlementMhz: wholeUnits(ceilingOf(claims.cpu)), memoryEntitlementMb: wholeUnits(ceilingOf(claims.memory)) };
}
