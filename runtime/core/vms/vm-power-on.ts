/**
 * Powering a VM on at the host placement chose: the mode and overhead are resolved for that host, the
 * resource pools admit the reservation (memory overhead included), and the footprint is charged. A
 * user's power-on and an HA restart both come through here; a refusal changes nothing.
 */
import type { VmSpec } from "../../../schema/virtual-machine";
import { admitReservation, chargeFootprint } from "../allocation/accounting";
import { resolveVirtualization } from "../guests/guest-compatibility";
import type { HostRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { footprintOf, guestCost } from "../guests/vm-footprint";
import { runningStatus } from "./vm-status";
import { cpuDemandAt } from "../guests/workload-profiles";
import type { StoredVmStatus } from "../kernel/model";

/** Admission over the pool tree for the VM's reservation plus `overheadMemoryMb` (the host's, once known). */
export function admitVm(txn: Txn, name: string, spec: VmSpec, cluster: string | null, overheadMemoryMb: number): void {
  if (cluster === null) return;
  admitReservation(txn, { kind: "VirtualMachine", name }, cluster, spec.pool ?? null, {
    cpu: spec.cpu.reservationMhz,
    memory: spec.memory.reservationMb + overheadMemoryMb,
  });
}

/** Reserves and charges the VM on `host` and returns its running status, demanding its workload's level now. */
export function powerOnAt(
  txn: Txn,
  name: string,
  spec: VmSpec,
  cluster: string | null,
  host: HostRecord,
  base: StoredVmStatus,
): StoredVmStatus {
  const verdict = resolveVirtualization(host.spec, spec);
  if (!verdict.ok) throw new Error(`internal: placement chose ${host.name}, which cannot run ${name}`);
  const cost = guestCost(spec, verdict.resolution);
  admitVm(txn, name, spec, cluster, cost.overheadMemoryMb);
  const f = footprintOf(spec, host.name, cluster, cost);
  chargeFootprint(txn, f, 1);
  return runningStatus(base, spec, f, verdict.resolution, verdict.reason, cost, cpuDemandAt(spec.workload, txn.clockSeconds));
}
