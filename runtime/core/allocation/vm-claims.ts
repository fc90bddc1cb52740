/**
 * A VM as a claimant of CPU and memory: its shares (presets per vCPU / per MB), its reservation, its
 * limit and its demand now. Memory figures include the VM's overhead, which is always reserved.
 */
import type { Dimension } from "../accounting";
import type { VmRecord } from "../model";
import { footprintOf, overheadMb } from "../vm-resources";
import type { Claim } from "./divide";
import { vmShares } from "./shares";

export type VmClaims = Record<Dimension, Claim>;

/**
 * Claims memoized per record: records are immutable values, so a VM that has not changed since the
 * last pass (most of them) is not recomputed. Entries go with their records.
 */
const memo = new WeakMap<VmRecord, VmClaims>();

export function vmClaims(vm: VmRecord): VmClaims {
  let claims = memo.get(vm);
  if (!claims) memo.set(vm, (claims = computeClaims(vm)));
  return claims;
}

function computeClaims(vm: VmRecord): VmClaims {
  const { spec } = vm;
  const f = footprintOf(spec, vm.status.currentHost ?? "", vm.status.cluster);
  const overhead = overheadMb(spec);
  return {
    cpu: {
      shares: vmShares(spec.cpu.shares, "cpu", spec.vcpus, spec.memoryMb),
      reservation: spec.cpu.reservationMhz,
      limit: spec.cpu.limitMhz ?? Infinity,
      demand: vm.status.cpuDemandMhz,
    },
    memory: {
      shares: vmShares(spec.memory.shares, "memory", spec.vcpus, spec.memoryMb),
      reservation: f.memoryReservationMb,
      limit: Math.min(spec.memory.limitMb ?? spec.memoryMb, spec.memoryMb) + overhead,
      demand: f.memoryConsumedMb,
    },
  };
}
