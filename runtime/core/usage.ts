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
  const n = vms.length;
  const used = { cpu: new Array<number>(n), memory: new Array<number>(n) };
  let cpuEntitlementMhz = 0;
  let memoryEntitlementMb = 0;
  for (const dim of DIMENSIONS) {
    const capacity = dim === "cpu" ? host.status.cpuCapacityMhz : host.status.memoryCapacityMb;
    const caps = used[dim];
    let wanted = 0;
    for (let i = 0; i < n; i++) {
      const entitled = dim === "cpu" ? vms[i].status.cpuEntitlementMhz : vms[i].status.memoryEntitlementMb;
      if (dim === "cpu") cpuEntitlementMhz += entitled;
      else memoryEntitlementMb += entitled;
      caps[i] = Math.min(claims[i][dim].demand, entitled);
      wanted += caps[i];
    }
    // Most hosts are not contended: every VM gets what it asks within its entitlement.
    const shares = wanted <= capacity ? caps : divide(capacity, claims.map((c, i) => ({ shares: c[dim].shares, reservation: Math.min(c[dim].reservation, caps[i]), limit: caps[i], demand: caps[i] })));
    for (let i = 0; i < n; i++) caps[i] = wholeUnits(shares[i]);
  }
  let cpuUsedMhz = 0;
  let memoryUsedMb = 0;
  for (let i = 0; i < n; i++) {
    const vm = vms[i];
    cpuUsedMhz += used.cpu[i];
    memoryUsedMb += used.memory[i];
    if (vm.status.cpuUsedMhz !== used.cpu[i] || vm.status.memoryUsedMb !== used.memory[i]) {
      txn.put<VmRecord>({ ...vm, status: { ...vm.status, cpuUsedMhz: used.cpu[i], memoryUsedMb: used.memory[i] } });
    }
  }
  const s = host.status;
  if (s.cpuUsedMhz !== cpuUsedMhz || s.memoryUsedMb !== memoryUsedMb || s.cpuEntitlementMhz !== cpuEntitlementMhz || s.memoryEntitlementMb !== memoryEntitlementMb) {
    txn.put<HostRecord>({ ...host, status: { ...s, cpuUsedMhz, memoryUsedMb, cpuEntitlementMhz, memoryEntitlementMb } });
  }
}
