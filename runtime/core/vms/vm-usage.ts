/**
 * What VMs use on their host now: the host's capacity divided among its VMs by shares (the host's
 * local scheduler), each up to its demand and its entitlement (so pool limits, enforced through
 * entitlements, hold on every host), and never below min(reservation, demand). Claims are in host
 * terms (allocation/vm-claims.ts): a VM's CPU share is split back into what its guest gets
 * (`cpuUsedMhz`) and what the hypervisor spends on it (`overheadCpuMhz`). Host usage and entitlement
 * are the sums over its VMs, plus what VMs migrating in already hold there: the memory being copied
 * and their entitlement (their reservations are held there too, see vm-moves.ts).
 */
import type { Dimension } from "../allocation/accounting";
import { divide, wholeUnits } from "../allocation/divide";
import { type VmClaims, guestCpuMhz, vmClaims } from "../allocation/vm-claims";
import { type HostRecord, type VmRecord, compareNames } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { hostUsageSums, uncontendedUsage } from "./vm-usage-ledger";
import { incomingFootprint } from "../guests/vm-footprint";

/** Recomputes the usage of every VM on a VM host and the host's usage and entitlement totals. */
export function refreshVmHost(txn: Txn, host: HostRecord): void {
  if (refreshUncontended(txn, host)) return;
  const vms = txn.relatedObjects<VmRecord>("vmsOnHost", host.name);
  applyHostUsage(txn, host, vms, vms.map(vmClaims));
}

/**
 * The same result as applyHostUsage for a host with room for what all its VMs want, from the host's
 * usage sums (vm-usage-ledger.ts): only VMs whose usage is stale are written, in name order as the walk
 * would. False, having changed nothing, when the sums cannot tell (contention, fractional figures):
 * the caller walks the VMs.
 */
function refreshUncontended(txn: Txn, host: HostRecord): boolean {
  const sums = hostUsageSums(txn, host.name);
  if (sums.inexact > 0) return false;
  const incoming = incomingTotals(txn, host.name);
  if (
    !Number.isInteger(incoming.memoryUsedMb) ||
    !Number.isInteger(incoming.cpuEntitlementMhz) ||
    !Number.isInteger(incoming.memoryEntitlementMb)
  )
    return false;
  if (
    sums.cpuWantedMhz > host.status.cpuCapacityMhz ||
    sums.memoryWantedMb > Math.max(0, host.status.memoryCapacityMb - incoming.memoryUsedMb)
  )
    return false;
  for (const name of [...sums.stale].sort(compareNames)) {
    const vm = txn.get<VmRecord>("VirtualMachine", name)!;
    const usage = uncontendedUsage(vm, vmClaims(vm));
    txn.put<VmRecord>({
      ...vm,
      status: { ...vm.status, cpuUsedMhz: usage.cpuUsedMhz, overheadCpuMhz: usage.overheadCpuMhz, memoryUsedMb: usage.memoryUsedMb },
    });
  }
  // Whole numbers: the sums equal the walk's, and wanted is what each VM uses when all fit.
  putHostUsage(txn, host, {
    cpuUsedMhz: sums.cpuWantedMhz,
    memoryUsedMb: incoming.memoryUsedMb + sums.memoryWantedMb,
    cpuEntitlementMhz: incoming.cpuEntitlementMhz + sums.cpuEntitlementMhz,
    memoryEntitlementMb: incoming.memoryEntitlementMb + sums.memoryEntitlementMb,
  });
  return true;
}

/** What VMs migrating onto the host hold there. */
function incomingTotals(txn: Txn, host: string): { memoryUsedMb: number; cpuEntitlementMhz: number; memoryEntitlementMb: number } {
  const totals = { memoryUsedMb: 0, cpuEntitlementMhz: 0, memoryEntitlementMb: 0 };
  for (const vm of txn.relatedObjects<VmRecord>("vmsMigratingTo", host)) {
    const f = incomingFootprint(vm);
    if (!f) continue;
    totals.memoryUsedMb += f.memoryConsumedMb;
    totals.cpuEntitlementMhz += vm.status.cpuEntitlementMhz;
    totals.memoryEntitlementMb += vm.status.memoryEntitlementMb;
  }
  return totals;
}

/**
 * The same for callers that hold the host's VMs (as this operation sees them) and their claims already;
 * `unwritten` marks VMs whose version the caller has not written yet, written here with their usage.
 */
export function applyHostUsage(
  txn: Txn,
  host: HostRecord,
  vms: readonly VmRecord[],
  claims: readonly VmClaims[],
  unwritten?: readonly boolean[],
): void {
  const n = vms.length;
  const incoming = incomingTotals(txn, host.name);
  const used = { cpu: new Array<number>(n), memory: new Array<number>(n) };
  let cpuEntitlementMhz = incoming.cpuEntitlementMhz;
  let memoryEntitlementMb = incoming.memoryEntitlementMb;
  let cpuWanted = 0;
  let memoryWanted = 0;
  // One walk over the VMs for both resources: at a DRS pass's scale the walk costs its memory reads.
  for (let i = 0; i < n; i++) {
    const s = vms[i].status;
    cpuEntitlementMhz += s.cpuEntitlementMhz;
    memoryEntitlementMb += s.memoryEntitlementMb;
    cpuWanted += used.cpu[i] = Math.min(claims[i].cpu.demand, s.cpuEntitlementMhz);
    memoryWanted += used.memory[i] = Math.min(claims[i].memory.demand, s.memoryEntitlementMb);
  }
  shareOut("cpu", host.status.cpuCapacityMhz, used.cpu, cpuWanted, claims);
  shareOut("memory", Math.max(0, host.status.memoryCapacityMb - incoming.memoryUsedMb), used.memory, memoryWanted, claims);
  let cpuUsedMhz = 0;
  let memoryUsedMb = incoming.memoryUsedMb;
  for (let i = 0; i < n; i++) {
    const vm = vms[i];
    cpuUsedMhz += used.cpu[i];
    memoryUsedMb += used.memory[i];
    const guest = guestCpuMhz(used.cpu[i], vm.status.overheadCpuPercent);
    const overhead = used.cpu[i] - guest;
    if (vm.status.cpuUsedMhz !== guest || vm.status.overheadCpuMhz !== overhead || vm.status.memoryUsedMb !== used.memory[i]) {
      txn.put<VmRecord>({ ...vm, status: { ...vm.status, cpuUsedMhz: guest, overheadCpuMhz: overhead, memoryUsedMb: used.memory[i] } });
    } else if (unwritten?.[i]) txn.put<VmRecord>(vm);
  }
  putHostUsage(txn, host, { cpuUsedMhz, memoryUsedMb, cpuEntitlementMhz, memoryEntitlementMb });
}

/**
 * Turns what each VM wants of one resource (`caps`, within its entitlement) into what it gets, in place,
 * in whole units. Most hosts are not contended: every VM gets what it asks.
 */
function shareOut(dim: Dimension, capacity: number, caps: number[], wanted: number, claims: readonly VmClaims[]): void {
  const shares =
    wanted <= capacity
      ? caps
      : divide(
          capacity,
          claims.map((c, i) => ({
            shares: c[dim].shares,
            reservation: Math.min(c[dim].reservation, caps[i]),
            limit: caps[i],
            demand: caps[i],
          })),
        );
  for (let i = 0; i < caps.length; i++) caps[i] = wholeUnits(shares[i]);
}

type HostUsage = Pick<HostRecord["status"], "cpuUsedMhz" | "memoryUsedMb" | "cpuEntitlementMhz" | "memoryEntitlementMb">;

function putHostUsage(txn: Txn, host: HostRecord, u: HostUsage): void {
  const s = host.status;
  if (
    s.cpuUsedMhz !== u.cpuUsedMhz ||
    s.memoryUsedMb !== u.memoryUsedMb ||
    s.cpuEntitlementMhz !== u.cpuEntitlementMhz ||
    s.memoryEntitlementMb !== u.memoryEntitlementMb
  ) {
    txn.put<HostRecord>({ ...host, status: { ...s, ...u } });
  }
}
