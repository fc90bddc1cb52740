/**
 * What VMs use on their host now: the host's capacity divided among its VMs by shares (the host's
 * local scheduler), each up to its demand and its entitlement (so pool limits, enforced through
 * entitlements, hold on every host), and never below min(reservation, demand). Claims are in host
 * terms (allocation/vm-claims.ts): a VM's CPU share is split back into what its guest gets
 * (`cpuUsedMhz`) and what the hypervisor spends on it (`overheadCpuMhz`). Host usage and entitlement
 * are the sums over its VMs, plus what VMs migrating in already hold there: the memory being copied
 * and their entitlement (their reservations are held there too, see vm-moves.ts).
 *
 * The host keeps how its capacity is divided (`usageDivision`, allocation/divide.ts) with the totals;
 * a VM's usage is worked out from that division and the VM's own claims when it is read (vmUsage). A
 * VM arriving on a contended host changes every VM's share there, and writes the host alone.
 */
import { type Claim, type Division, ROOM_FOR_ALL, allocationUnder, divisionOf, sameDivision, wholeUnits } from "../allocation/divide";
import { type VmClaims, guestCpuMhz, vmClaims } from "../allocation/vm-claims";
import type { IndexName } from "../kernel/indexes";
import { type HostRecord, type Kind, type RuntimeObject, type VmRecord, isCheckedMode } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { USAGE_LEDGER, hostUsageSums } from "./vm-usage-ledger";
import { incomingFootprint } from "../guests/vm-footprint";
import { profileOf } from "../hypervisors/profiles";

type UsageDivision = NonNullable<HostRecord["status"]["usageDivision"]>;

export interface VmUsage {
  /** Host CPU the guest gets. */
  cpuUsedMhz: number;
  /** Host CPU the hypervisor spends on the guest. */
  overheadCpuMhz: number;
  memoryUsedMb: number;
}

/** The world or an operation's view of it: enough to find a VM's host and, on a host not divided yet, its VMs. */
interface UsageView {
  get(kind: Kind, name: string): RuntimeObject | undefined;
  relatedSorted(index: IndexName, key: string): readonly string[];
}

const NOTHING: VmUsage = { cpuUsedMhz: 0, overheadCpuMhz: 0, memoryUsedMb: 0 };
const ROOM_FOR_EVERY_VM: UsageDivision = { cpu: ROOM_FOR_ALL, memory: ROOM_FOR_ALL };

/** What a VM uses now, from its host's division: nothing when it runs nowhere. */
export function vmUsage(view: UsageView, vm: VmRecord): VmUsage {
  const host = vm.status.currentHost === null ? undefined : (view.get("Host", vm.status.currentHost) as HostRecord | undefined);
  // A host written before hosts kept their division: divided from its VMs as a refresh would.
  return usageFromHost(vm, host) ?? usageUnder(divideHost(view, host!).usageDivision, vm, vmClaims(vm));
}

/** The same from the VM's host alone; undefined when that host keeps no division yet. */
export function usageFromHost(vm: VmRecord, host: HostRecord | undefined): VmUsage | undefined {
  if (vm.status.powerState !== "on" || host === undefined) return NOTHING;
  const division = host.status.usageDivision;
  return division && usageUnder(division, vm, vmClaims(vm));
}

/** A VM's usage under its host's division. */
function usageUnder(division: UsageDivision, vm: VmRecord, claims: VmClaims): VmUsage {
  const { cpuMhz, memoryMb } = hostShare(division, vm, claims);
  const cpuUsedMhz = guestCpuMhz(cpuMhz, vm.status.overheadCpuPercent);
  return { cpuUsedMhz, overheadCpuMhz: cpuMhz - cpuUsedMhz, memoryUsedMb: memoryMb };
}

/** What the VM gets of its host, whole MHz and MB, the hypervisor's CPU for it included. */
function hostShare(division: UsageDivision, vm: VmRecord, claims: VmClaims): { cpuMhz: number; memoryMb: number } {
  return {
    cpuMhz: shareOf(division.cpu, claims.cpu, vm.status.cpuEntitlementMhz),
    memoryMb: shareOf(division.memory, claims.memory, vm.status.memoryEntitlementMb),
  };
}

function shareOf(d: Division, c: Claim, entitlement: number): number {
  // With room for every VM each gets what it wants: no claim to build.
  return wholeUnits(d.by === "demand" ? Math.min(c.demand, entitlement) : allocationUnder(d, claimOnHost(c, entitlement)));
}

/** A running VM's claim on its host for one resource: what it wants within its entitlement, its reservation within that. */
function claimOnHost(c: Claim, entitlement: number): Claim {
  const wanted = Math.min(c.demand, entitlement);
  return { shares: c.shares, reservation: Math.min(c.reservation, wanted), limit: wanted, demand: wanted };
}

/** Divides a VM host's capacity among its VMs again and writes the host's division and totals. */
export function refreshVmHost(txn: Txn, host: HostRecord): void {
  if (refreshUncontended(txn, host)) return;
  const vms = txn.relatedObjects<VmRecord>("vmsOnHost", host.name);
  applyHostUsage(txn, host, vms, vms.map(vmClaims));
}

/**
 * The same result as applyHostUsage for a host with room for what all its VMs want, from the host's
 * usage sums (vm-usage-ledger.ts), without walking its VMs. False, having changed nothing, when the
 * sums cannot tell (contention, fractional figures): the caller walks the VMs.
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
  // Whole numbers: the sums equal the walk's, and wanted is what each VM uses when all fit.
  putHostUsage(txn, host, {
    cpuUsedMhz: sums.cpuWantedMhz,
    memoryUsedMb: incoming.memoryUsedMb + sums.memoryWantedMb,
    cpuEntitlementMhz: incoming.cpuEntitlementMhz + sums.cpuEntitlementMhz,
    memoryEntitlementMb: incoming.memoryEntitlementMb + sums.memoryEntitlementMb,
    usageDivision: ROOM_FOR_EVERY_VM,
  });
  return true;
}

interface IncomingTotals {
  memoryUsedMb: number;
  cpuEntitlementMhz: number;
  memoryEntitlementMb: number;
}

/** What VMs migrating onto the host hold there. */
function incomingTotals(view: UsageView, host: string): IncomingTotals {
  const totals = { memoryUsedMb: 0, cpuEntitlementMhz: 0, memoryEntitlementMb: 0 };
  for (const name of view.relatedSorted("vmsMigratingTo", host)) {
    const vm = view.get("VirtualMachine", name) as VmRecord;
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
 * `unwritten` marks VMs whose version the caller has not written yet, written here.
 */
export function applyHostUsage(
  txn: Txn,
  host: HostRecord,
  vms: readonly VmRecord[],
  claims: readonly VmClaims[],
  unwritten?: readonly boolean[],
): void {
  if (!unwritten?.includes(true) && usageCurrent(txn, host)) {
    // Checked mode divides the host anyway: what is stored must be what its VMs give.
    if (isCheckedMode() && wouldChange(host, divisionWith(host, incomingTotals(txn, host.name), vms, claims)))
      throw new Error(`internal: host ${host.name} keeps a usage division its VMs do not give`);
    return;
  }
  if (unwritten) for (let i = 0; i < vms.length; i++) if (unwritten[i]) txn.put<VmRecord>(vms[i]);
  // A host with room for what its VMs want is refreshed from its usage sums: a DRS pass whose samples
  // moved a few VMs on every host then reads those VMs, not every VM of every host.
  if (refreshUncontended(txn, host)) {
    // Checked mode walks the VMs anyway: what the sums gave must be what the VMs give.
    if (isCheckedMode()) {
      const refreshed = txn.get<HostRecord>("Host", host.name)!;
      if (wouldChange(refreshed, divisionWith(refreshed, incomingTotals(txn, host.name), vms, claims)))
        throw new Error(`internal: host ${host.name}'s usage from its sums is not what its VMs give`);
    }
    return;
  }
  putHostUsage(txn, host, divisionWith(host, incomingTotals(txn, host.name), vms, claims));
}

/**
 * Whether the host's stored division and totals are what dividing it again would give: it keeps a
 * division, and this operation has changed neither the host nor any VM that runs there or is coming
 * in, nor marked it unsettled. A step ends with every host it touched divided again (settle.ts), so
 * what the world holds is current; a DRS pass whose samples and entitlements moved nothing on a host
 * then leaves it alone.
 */
function usageCurrent(txn: Txn, host: HostRecord): boolean {
  const name = host.name;
  return (
    host.status.usageDivision !== undefined &&
    !txn.hasChanged("Host", name) &&
    !txn.isUnsettled(name) &&
    (txn.changedUnder(USAGE_LEDGER, name)?.size ?? 0) === 0 &&
    !txn.changedRelated("vmsMigratingTo", name) &&
    !txn.relatedSorted("vmsMigratingTo", name).some((vm) => txn.hasChanged("VirtualMachine", vm))
  );
}

/**
 * What is wrong with a VM host's kept division (`polyvisor state check`, `state import`): undefined
 * when it is what dividing the host among its VMs gives, when it keeps none (a state from before hosts
 * kept one), and on a container host (whose scheduler divides it: containers/container-usage.ts).
 */
export function keptDivisionProblem(view: UsageView, host: HostRecord): string | undefined {
  const kept = host.status.usageDivision;
  if (kept === undefined || profileOf(host.spec).containers) return undefined;
  const fresh = divideHost(view, host);
  if (!wouldChange(host, fresh)) return undefined;
  const { cpuUsedMhz, memoryUsedMb } = host.status;
  return `host ${host.name}: its kept usage (${cpuUsedMhz} MHz, ${memoryUsedMb} MB, CPU by ${kept.cpu.by}, memory by ${kept.memory.by}) is not what its VMs give (${fresh.cpuUsedMhz} MHz, ${fresh.memoryUsedMb} MB, CPU by ${fresh.usageDivision.cpu.by}, memory by ${fresh.usageDivision.memory.by})`;
}

/** The host's division and totals, worked out from its VMs as `view` sees them. */
function divideHost(view: UsageView, host: HostRecord): HostUsage {
  const vms = view.relatedSorted("vmsOnHost", host.name).map((name) => view.get("VirtualMachine", name) as VmRecord);
  return divisionWith(host, incomingTotals(view, host.name), vms, vms.map(vmClaims));
}

function divisionWith(host: HostRecord, incoming: IncomingTotals, vms: readonly VmRecord[], claims: readonly VmClaims[]): HostUsage {
  const n = vms.length;
  let cpuEntitlementMhz = incoming.cpuEntitlementMhz;
  let memoryEntitlementMb = incoming.memoryEntitlementMb;
  let cpuWanted = 0;
  let memoryWanted = 0;
  // One walk over the VMs for both resources: at a DRS pass's scale the walk costs its memory reads.
  for (let i = 0; i < n; i++) {
    const s = vms[i].status;
    cpuEntitlementMhz += s.cpuEntitlementMhz;
    memoryEntitlementMb += s.memoryEntitlementMb;
    cpuWanted += Math.min(claims[i].cpu.demand, s.cpuEntitlementMhz);
    memoryWanted += Math.min(claims[i].memory.demand, s.memoryEntitlementMb);
  }
  const cpu = sharesOnHost(
    host.status.cpuCapacityMhz,
    cpuWanted,
    0,
    n,
    (i) => claims[i].cpu,
    (i) => vms[i].status.cpuEntitlementMhz,
  );
  const memory = sharesOnHost(
    Math.max(0, host.status.memoryCapacityMb - incoming.memoryUsedMb),
    memoryWanted,
    incoming.memoryUsedMb,
    n,
    (i) => claims[i].memory,
    (i) => vms[i].status.memoryEntitlementMb,
  );
  return {
    cpuUsedMhz: cpu.used,
    memoryUsedMb: memory.used,
    cpuEntitlementMhz,
    memoryEntitlementMb,
    usageDivision: { cpu: cpu.division, memory: memory.division },
  };
}

/**
 * How one resource of the host divides among its VMs, and `from` plus what they use of it in all (in
 * VM order, each share as shareOf works it out).
 */
function sharesOnHost(
  capacity: number,
  wanted: number,
  from: number,
  n: number,
  claimOf: (i: number) => Claim,
  entitlementOf: (i: number) => number,
): { division: Division; used: number } {
  let used = from;
  if (wanted <= capacity) {
    for (let i = 0; i < n; i++) used += shareOf(ROOM_FOR_ALL, claimOf(i), entitlementOf(i));
    return { division: ROOM_FOR_ALL, used };
  }
  // Contended: each VM's claim on the host is built once, for the division and for its share.
  const onHost = Array.from({ length: n }, (_, i) => claimOnHost(claimOf(i), entitlementOf(i)));
  const division = divisionOf(capacity, onHost);
  for (const c of onHost) used += wholeUnits(allocationUnder(division, c));
  return { division, used };
}

type HostUsage = Pick<HostRecord["status"], "cpuUsedMhz" | "memoryUsedMb" | "cpuEntitlementMhz" | "memoryEntitlementMb"> & {
  usageDivision: UsageDivision;
};

function putHostUsage(txn: Txn, host: HostRecord, u: HostUsage): void {
  if (wouldChange(host, u)) txn.put<HostRecord>({ ...host, status: { ...host.status, ...u } });
}

function wouldChange(host: HostRecord, u: HostUsage): boolean {
  const s = host.status;
  return (
    s.cpuUsedMhz !== u.cpuUsedMhz ||
    s.memoryUsedMb !== u.memoryUsedMb ||
    s.cpuEntitlementMhz !== u.cpuEntitlementMhz ||
    s.memoryEntitlementMb !== u.memoryEntitlementMb ||
    s.usageDivision === undefined ||
    !sameDivision(s.usageDivision.cpu, u.usageDivision.cpu) ||
    !sameDivision(s.usageDivision.memory, u.usageDivision.memory)
  );
}
