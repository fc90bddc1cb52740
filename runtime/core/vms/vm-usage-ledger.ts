/**
 * Per-host sums of what running VMs are entitled to and want, kept by the world as VMs are put and
 * removed (a ledger, like the HA demand ledger; world-setup.ts hands it to every World), so that refreshing one host's usage after a small change does
 * not walk every VM on it. On a host with room for what every VM wants, each VM uses what it wants
 * (vm-usage.ts): the refresh then needs only the sums. Sums are kept only while every term is a whole
 * number, so adding and removing terms gives exactly the total a walk in name order would.
 */
import { type VmClaims, vmClaims } from "../allocation/vm-claims";
import type { LedgerType } from "../kernel/model";
import type { RuntimeObject, VmRecord } from "../kernel/records";
import type { Txn } from "../kernel/txn";

/** What a running VM wants of its host: its demand within its entitlement. */
function wantedOnHost(vm: VmRecord, claims: VmClaims): { cpuMhz: number; memoryMb: number } {
  return {
    cpuMhz: Math.min(claims.cpu.demand, vm.status.cpuEntitlementMhz),
    memoryMb: Math.min(claims.memory.demand, vm.status.memoryEntitlementMb),
  };
}

export interface HostUsageSums {
  cpuEntitlementMhz: number;
  memoryEntitlementMb: number;
  cpuWantedMhz: number;
  memoryWantedMb: number;
  /** Terms that are not whole numbers: while any is present the sums are not used. */
  inexact: number;
}

interface Term {
  cpuEntitlementMhz: number;
  memoryEntitlementMb: number;
  cpuWantedMhz: number;
  memoryWantedMb: number;
  exact: boolean;
}

const terms = new WeakMap<RuntimeObject, Term>();

/** A running VM's term, memoized per record (records are immutable values). */
function termOf(obj: RuntimeObject): Term {
  let term = terms.get(obj);
  if (term !== undefined) return term;
  const vm = obj as VmRecord;
  const { cpuMhz: cpuWantedMhz, memoryMb: memoryWantedMb } = wantedOnHost(vm, vmClaims(vm));
  const { cpuEntitlementMhz, memoryEntitlementMb } = vm.status;
  const exact =
    Number.isInteger(cpuEntitlementMhz) &&
    Number.isInteger(memoryEntitlementMb) &&
    Number.isInteger(cpuWantedMhz) &&
    Number.isInteger(memoryWantedMb);
  term = { cpuEntitlementMhz, memoryEntitlementMb, cpuWantedMhz, memoryWantedMb, exact };
  terms.set(obj, term);
  return term;
}

const hostOf = (obj: RuntimeObject | undefined) => (obj?.status as { currentHost?: string | null } | undefined)?.currentHost ?? undefined;

function shift(sums: HostUsageSums, vm: RuntimeObject, sign: 1 | -1): void {
  const t = termOf(vm);
  if (!t.exact) sums.inexact += sign;
  else {
    sums.cpuEntitlementMhz += sign * t.cpuEntitlementMhz;
    sums.memoryEntitlementMb += sign * t.memoryEntitlementMb;
    sums.cpuWantedMhz += sign * t.cpuWantedMhz;
    sums.memoryWantedMb += sign * t.memoryWantedMb;
  }
}

/**
 * A host's sums and, per VM, the version that came since they were last read and is not counted
 * yet: terms are worked out when a refresh asks, so a step that rewrites thousands of VMs (a DRS pass)
 * pays nothing at commit. A version leaving the host is taken out of the sums at once when it was
 * counted (its term is memoized by then) or simply forgotten when it was not, so the entries never
 * outnumber the host's VMs, however long nobody reads the sums.
 */
interface HostEntry {
  sums: HostUsageSums;
  uncounted: Map<string, RuntimeObject>;
}

export class UsageLedger {
  private readonly hosts = new Map<string, HostEntry>();

  replace(before: RuntimeObject | undefined, after: RuntimeObject | undefined): void {
    const from = hostOf(before);
    const to = hostOf(after);
    if (from !== undefined) {
      const entry = this.entry(from);
      if (entry.uncounted.get(before!.name) === before) entry.uncounted.delete(before!.name);
      else shift(entry.sums, before!, -1);
    }
    if (to !== undefined) this.entry(to).uncounted.set(after!.name, after!);
  }

  /**
   * The host's sums as an operation sees them: the stored ones with the operation's own VM changes
   * (pairs of stored and new version, undefined when absent) applied.
   */
  sumsWith(host: string, changes: Iterable<[RuntimeObject | undefined, RuntimeObject | undefined]>): HostUsageSums {
    const stored = this.settled(host);
    const sums = { ...stored };
    for (const [before, after] of changes) {
      if (hostOf(before) === host) shift(sums, before!, -1);
      if (hostOf(after) === host) shift(sums, after!, 1);
    }
    return sums;
  }

  /** How many VM versions the ledger holds, not yet counted: at most one per running VM. */
  get retainedEntries(): number {
    let n = 0;
    for (const entry of this.hosts.values()) n += entry.uncounted.size;
    return n;
  }

  private settled(host: string): HostUsageSums {
    const entry = this.entry(host);
    for (const vm of entry.uncounted.values()) shift(entry.sums, vm, 1);
    entry.uncounted.clear();
    return entry.sums;
  }

  private entry(host: string): HostEntry {
    let entry = this.hosts.get(host);
    if (!entry) {
      const sums = {
        cpuEntitlementMhz: 0,
        memoryEntitlementMb: 0,
        cpuWantedMhz: 0,
        memoryWantedMb: 0,
        inexact: 0,
      };
      this.hosts.set(host, (entry = { sums, uncounted: new Map() }));
    }
    return entry;
  }
}

/** Files each VM version under the host it runs on, so an operation's reads apply only the changes on that host. */
export const USAGE_LEDGER: LedgerType<UsageLedger> = {
  name: "usage",
  kind: "VirtualMachine",
  create: () => new UsageLedger(),
  changeKey: hostOf,
};

/**
 * A host's usage sums with the operation's changes to the VMs that ran there applied: the cost is
 * those changes, however many VMs the operation changed elsewhere (an HA wave or a DRS pass changes
 * thousands).
 */
export function hostUsageSums(txn: Txn, host: string): HostUsageSums {
  const names = txn.changedUnder(USAGE_LEDGER, host);
  return txn.ledger(USAGE_LEDGER).sumsWith(host, names ? txn.changedPairs("VirtualMachine", names) : []);
}
