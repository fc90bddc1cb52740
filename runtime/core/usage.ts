/**
 * What VMs use on their host now: the host's capacity divided among its VMs by shares (the host's
 * local scheduler), each up to its demand and its entitlement (so pool limits, enforced through
 * entitlements, hold on every host), and never below min(reservation, demand). Host usage and
 * entitlement are the sums over its VMs.
 */
import { DIMENSIONS } from "./accounting";
import { ceilingOf, divide, wholeUnits } from "./allocation/divide";
import { type VmClaims, vmClaims } from "./allocation/vm-claims";
import type { HostRecord, VmRecord } from "./model";
import type { Txn } from "./txn";

/** CPU demand and entitlements of a VM that has just started or changed, before a DRS pass divides contention. */
export function uncontendedAllocation(vm: VmRecord): Pick<VmRecord["status"], "cpuEntitlementMhz" | "memoryEntitlementMb" | "cpuUsedMhz" | "memoryUsedMb"> {
  const claims = vmClaims(vm);
  const cpu = wholeUnits(ceilingOf(claims.cpu));
  const memory = wholeUnits(ceilingOf(claims.memory));
  return { cpuEntitlementMhz: cpu, memoryEntitlementMb: memory, cpuUsedMhz: wholeUnits(Math.min(cpu, claims.cpu.demand)), memoryUsedMb: wholeUnits(Math.min(memory, claims.memory.demand)) };
}

/** Recomputes the usage of every VM on `host` and the host's usage and entitlement totals. */
export function refreshHostUsage(txn: Txn, hostName: string): void {
  const host = txn.get<HostRecord>("Host", hostName);
  if (!host) return;
  const vms = txn.relatedObjects<VmRecord>("vmsOnHost", hostName);
  applyHostUsage(txn, host, vms, vms.map(vmClaims));
}

/** The same for callers that hold the host's VMs (as this operation sees them) and their claims already. */
export function applyHostUsage(txn: Txn, host: HostRecord, vms: readonly VmRecord[], claims: readonly VmClaims[]): void {
  const entitled = { cpu: vms.map((v) => v.status.cpuEntitlementMhz), memory: vms.map((v) => v.status.memoryEntitlementMb) };
  const capacity = { cpu: host.status.cpuCapacityMhz, memory: host.status.memoryCapacityMb };
  const used = {} as Record<(typeof DIMENSIONS)[number], number[]>;
  for (const dim of DIMENSIONS) {
    const caps = claims.map((c, i) => Math.min(c[dim].demand, entitled[dim][i]));
    // Most hosts are not contended: every VM gets what it asks within its entitlement.
    const fits = caps.reduce((a, b) => a + b, 0) <= capacity[dim];
    used[dim] = (fits ? caps : divide(capacity[dim], claims.map((c, i) => ({ shares: c[dim].shares, reservation: Math.min(c[dim].reservation, caps[i]), limit: caps[i], demand: caps[i] })))).map(wholeUnits);
  }
  let cpuUsedMhz = 0;
  let memoryUsedMb = 0;
  vms.forEach((vm, i) => {
    cpuUsedMhz += used.cpu[i];
    memoryUsedMb += used.memory[i];
    if (vm.status.cpuUsedMhz !== used.cpu[i] || vm.status.memoryUsedMb !== used.memory[i]) {
      txn.put<VmRecord>({ ...vm, status: { ...vm.status, cpuUsedMhz: used.cpu[i], memoryUsedMb: used.memory[i] } });
    }
  });
  const cpuEntitlementMhz = entitled.cpu.reduce((a, b) => a + b, 0);
  const memoryEntitlementMb = entitled.memory.reduce((a, b) => a + b, 0);
  const s = host.status;
  if (s.cpuUsedMhz !== cpuUsedMhz || s.memoryUsedMb !== memoryUsedMb || s.cpuEntitlementMhz !== cpuEntitlementMhz || s.memoryEntitlementMb !== memoryEntitlementMb) {
    txn.put<HostRecord>({ ...host, status: { ...s, cpuUsedMhz, memoryUsedMb, cpuEntitlementMhz, memoryEntitlementMb } });
  }
}
