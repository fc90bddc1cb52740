/**
 * A cluster's running VMs as an operation sees them, in name order, a column per figure a DRS plan
 * reads: the record, where each runs or, in flight, where it is going, its entitlement and its demand
 * on its host (allocation/vm-claims.ts). A pass's refresh fills the columns while it walks the VMs
 * anyway (drs/pass.ts), so the snapshot (snapshot.ts) need not read every record and claim again:
 * at 40,000 VMs each of those reads is a cache miss.
 */
import { type VmClaims, vmClaims } from "../allocation/vm-claims";
import type { VmRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";

export class RunningVms {
  readonly records: VmRecord[] = [];
  /** The host each runs on or, in a live migration, goes to; null for none. */
  readonly at: (string | null)[] = [];
  readonly cpuEntitlement: Float64Array;
  readonly memoryEntitlement: Float64Array;
  /** What each wants of its host before its entitlement caps it (claims' demand, with overhead). */
  readonly cpuDemand: Float64Array;
  readonly memoryDemand: Float64Array;

  /** `capacity`: at least as many VMs as will be added. */
  constructor(capacity: number) {
    this.cpuEntitlement = new Float64Array(capacity);
    this.memoryEntitlement = new Float64Array(capacity);
    this.cpuDemand = new Float64Array(capacity);
    this.memoryDemand = new Float64Array(capacity);
  }

  get length(): number {
    return this.records.length;
  }

  /** Adds a running VM with its claims; returns its index. */
  add(vm: VmRecord, claims: VmClaims): number {
    const i = this.records.length;
    const s = vm.status;
    this.records.push(vm);
    this.at.push(s.migration?.kind === "live" ? s.migration.toHost : s.currentHost);
    this.cpuDemand[i] = claims.cpu.demand;
    this.memoryDemand[i] = claims.memory.demand;
    this.setEntitlement(i, vm);
    return i;
  }

  /** A new version of VM `i` with the same claims (claims do not depend on the entitlement): another entitlement. */
  replace(i: number, vm: VmRecord): void {
    this.records[i] = vm;
    this.setEntitlement(i, vm);
  }

  private setEntitlement(i: number, vm: VmRecord): void {
    this.cpuEntitlement[i] = vm.status.cpuEntitlementMhz;
    this.memoryEntitlement[i] = vm.status.memoryEntitlementMb;
  }

  /** The cluster's running VMs, read from the operation. */
  static read(txn: Txn, cluster: string): RunningVms {
    const vms = txn.relatedObjects<VmRecord>("vmsInCluster", cluster).filter((vm) => vm.status.powerState === "on");
    const running = new RunningVms(vms.length);
    for (const vm of vms) running.add(vm, vmClaims(vm));
    return running;
  }

  /** Whether both hold the same records with the same figures. */
  sameAs(other: RunningVms): boolean {
    const n = this.length;
    if (other.length !== n) return false;
    for (let i = 0; i < n; i++) {
      if (
        this.records[i] !== other.records[i] ||
        this.at[i] !== other.at[i] ||
        this.cpuEntitlement[i] !== other.cpuEntitlement[i] ||
        this.memoryEntitlement[i] !== other.memoryEntitlement[i] ||
        this.cpuDemand[i] !== other.cpuDemand[i] ||
        this.memoryDemand[i] !== other.memoryDemand[i]
      )
        return false;
    }
    return true;
  }
}
