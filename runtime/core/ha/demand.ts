/**
 * What HA admission control must hold capacity for, per cluster: every powered-on VM and every VM
 * waiting for an HA restart (its host failed, so it is off, but HA owes it a place). The vSphere
 * Availability guide's policies need the sums of their reservations, how many there are, and the
 * largest reservations (the slot size).
 *
 * The world keeps these totals as VMs change (a ledger, like an index; world-setup.ts hands it to
 * every World), so admission control costs the same
 * with 10 or 10,000 VMs. The largest value is kept with a count per value: releasing the largest
 * reservation only rescans the distinct values, never the VMs.
 *
 * Containers count beside VMs in every policy: a running container, or one HA owes a restart, holds
 * its memory limit plus its kernel-sharing overhead (the reservation its host keeps for it,
 * containers/resources.ts) and no CPU reservation (cpuunits and FSS shares are weights), so like a
 * VM without one it counts at vmCpuMinMhz. A second ledger keeps them (a ledger follows one kind);
 * `clusterDemand` adds the two.
 * Glossary: HA = high availability (restart of a failed host's VMs elsewhere).
 */
import type { LedgerType, World } from "../kernel/model";
import type { RuntimeObject, VmRecord } from "../kernel/records";
import { Txn } from "../kernel/txn";
import { footprintOf, recordedCost } from "../guests/vm-footprint";
import { containerFootprint } from "../containers/resources";
import type { ContainerRecord } from "../kernel/model";

/**
 * One VM's claim on its cluster's failover capacity: the reservations its footprint gives its pools
 * and cluster. Memory counts the overhead of the host it runs on (or last ran on, while it awaits a
 * restart), as the guide's slot size and percentages do; the CPU the hypervisor spends delivering the
 * CPU reservation is reserved on the host alone, and the guide counts the CPU reservation alone.
 */
export interface VmDemand {
  cluster: string;
  cpuMhz: number;
  /** Memory reservation plus overhead. */
  memoryMb: number;
  /** A container's demand (counted apart for messages). */
  container?: true;
}

export interface DemandTotals {
  /** Guests HA holds room for: VMs and containers. */
  vms: number;
  /** Of which containers (absent: none). */
  containers?: number;
  cpuMhz: number;
  /** VMs without a CPU reservation: admission control counts them at vmCpuMinMhz. */
  vmsWithoutCpuReservation: number;
  memoryMb: number;
  largestCpuMhz: number;
  largestMemoryMb: number;
}

export const NO_DEMAND: DemandTotals = Object.freeze({
  vms: 0,
  cpuMhz: 0,
  vmsWithoutCpuReservation: 0,
  memoryMb: 0,
  largestCpuMhz: 0,
  largestMemoryMb: 0,
});

/** The VM's demand on its cluster, or undefined when it holds no claim (off, standalone, booting after a restart counts as on). */
export function haDemandOf(obj: RuntimeObject): VmDemand | undefined {
  if (obj.kind !== "VirtualMachine") return undefined;
  const { spec, status } = obj as VmRecord;
  if (status.cluster === null || status.cluster === undefined) return undefined;
  const running = status.powerState === "on" && status.currentHost !== null;
  if (!running && !status.haRestart) return undefined;
  const f = footprintOf(spec, status.currentHost ?? "", status.cluster, recordedCost(status));
  return { cluster: status.cluster, cpuMhz: f.cpuReservationMhz, memoryMb: f.memoryReservationMb };
}

/** The container's demand on its cluster (running, or owed a restart), or undefined. */
export function haContainerDemandOf(obj: RuntimeObject): VmDemand | undefined {
  if (obj.kind !== "Container") return undefined;
  const { spec, status } = obj as ContainerRecord;
  if (status.cluster === null) return undefined;
  if (status.currentHost === null && !status.haRestart) return undefined;
  const f = containerFootprint(spec, status.currentHost ?? "", status.cluster);
  return { cluster: status.cluster, cpuMhz: f.cpuReservationMhz, memoryMb: f.memoryReservationMb, container: true };
}

/** A multiset of numbers that knows its largest member. */
class CountedValues {
  readonly counts = new Map<number, number>();
  largest = 0;

  add(value: number, times: 1 | -1): void {
    const count = (this.counts.get(value) ?? 0) + times;
    if (count > 0) this.counts.set(value, count);
    else this.counts.delete(value);
    if (times > 0 && value > this.largest) this.largest = value;
    else if (times < 0 && value === this.largest && count <= 0) this.largest = largestKey(this.counts);
  }

  /** The largest member once `removed` values are taken out and `added` ones put in. */
  largestWith(removed: Map<number, number>, added: number): number {
    let largest = this.largest;
    if ((removed.get(largest) ?? 0) >= (this.counts.get(largest) ?? 0) && removed.size > 0) {
      largest = 0;
      for (const [value, count] of this.counts) if (count > (removed.get(value) ?? 0) && value > largest) largest = value;
    }
    return Math.max(largest, added);
  }
}

function largestKey(counts: Map<number, number>): number {
  let largest = 0;
  for (const value of counts.keys()) if (value > largest) largest = value;
  return largest;
}

class ClusterEntry {
  private readonly sums: DemandTotals = { ...NO_DEMAND };
  private readonly cpu = new CountedValues();
  private readonly memory = new CountedValues();

  add(d: VmDemand, sign: 1 | -1): void {
    shift(this.sums, d, sign);
    this.cpu.add(d.cpuMhz, sign);
    this.memory.add(d.memoryMb, sign);
  }

  totals(): DemandTotals {
    return { ...this.sums, largestCpuMhz: this.cpu.largest, largestMemoryMb: this.memory.largest };
  }

  largestWith(
    removedCpu: Map<number, number>,
    addedCpu: number,
    removedMemory: Map<number, number>,
    addedMemory: number,
  ): [number, number] {
    return [this.cpu.largestWith(removedCpu, addedCpu), this.memory.largestWith(removedMemory, addedMemory)];
  }
}

/** Demand totals per cluster, kept by the world as guests of one kind are put and removed. */
export class DemandLedger {
  private readonly clusters = new Map<string, ClusterEntry>();

  constructor(private readonly demandOf: (obj: RuntimeObject) => VmDemand | undefined = haDemandOf) {}

  replace(before: RuntimeObject | undefined, after: RuntimeObject | undefined): void {
    const old = before && this.demandOf(before);
    const now = after && this.demandOf(after);
    if (old && now && old.cluster === now.cluster && old.cpuMhz === now.cpuMhz && old.memoryMb === now.memoryMb) return;
    if (old) this.entry(old.cluster).add(old, -1);
    if (now) this.entry(now.cluster).add(now, 1);
  }

  totals(cluster: string): DemandTotals {
    return this.clusters.get(cluster)?.totals() ?? NO_DEMAND;
  }

  /**
   * The totals as an operation sees them: the stored ones with the operation's own VM changes
   * (each a pair of the stored version and the operation's version, undefined when absent) applied.
   */
  totalsWith(cluster: string, changes: Iterable<[RuntimeObject | undefined, RuntimeObject | undefined]>): DemandTotals {
    const entry = this.clusters.get(cluster);
    const totals = { ...(entry?.totals() ?? NO_DEMAND) };
    const removedCpu = new Map<number, number>();
    const removedMemory = new Map<number, number>();
    let addedCpu = 0;
    let addedMemory = 0;
    for (const [before, after] of changes) {
      if (before && after && sameClaim(before, after)) continue;
      const old = before && this.demandOf(before);
      const now = after && this.demandOf(after);
      if (old?.cluster === cluster) {
        shift(totals, old, -1);
        removedCpu.set(old.cpuMhz, (removedCpu.get(old.cpuMhz) ?? 0) + 1);
        removedMemory.set(old.memoryMb, (removedMemory.get(old.memoryMb) ?? 0) + 1);
      }
      if (now?.cluster === cluster) {
        shift(totals, now, 1);
        addedCpu = Math.max(addedCpu, now.cpuMhz);
        addedMemory = Math.max(addedMemory, now.memoryMb);
      }
    }
    [totals.largestCpuMhz, totals.largestMemoryMb] = entry
      ? entry.largestWith(removedCpu, addedCpu, removedMemory, addedMemory)
      : [addedCpu, addedMemory];
    return totals;
  }

  private entry(cluster: string): ClusterEntry {
    let entry = this.clusters.get(cluster);
    if (!entry) this.clusters.set(cluster, (entry = new ClusterEntry()));
    return entry;
  }
}

/**
 * Whether two versions of a VM claim the same: they differ only in what haDemandOf does not read
 * (usage, entitlement, which host), as after a usage refresh; saves the footprints of an operation
 * that rewrote every VM's usage.
 */
function sameClaim(a: RuntimeObject, b: RuntimeObject): boolean {
  if (a.kind !== "VirtualMachine" || b.kind !== "VirtualMachine") return false;
  const x = (a as VmRecord).status;
  const y = (b as VmRecord).status;
  return (
    (a as VmRecord).spec === (b as VmRecord).spec &&
    x.cluster === y.cluster &&
    x.powerState === y.powerState &&
    (x.currentHost === null) === (y.currentHost === null) &&
    !x.haRestart === !y.haRestart &&
    x.overheadMemoryMb === y.overheadMemoryMb
  );
}

function shift(totals: DemandTotals, d: VmDemand, sign: 1 | -1): void {
  totals.vms += sign;
  if (d.container) totals.containers = (totals.containers ?? 0) + sign;
  totals.cpuMhz += sign * d.cpuMhz;
  if (d.cpuMhz === 0) totals.vmsWithoutCpuReservation += sign;
  totals.memoryMb += sign * d.memoryMb;
}

export const DEMAND_LEDGER: LedgerType<DemandLedger> = {
  name: "haDemand",
  kind: "VirtualMachine",
  create: () => new DemandLedger(haDemandOf),
};

export const CONTAINER_DEMAND_LEDGER: LedgerType<DemandLedger> = {
  name: "haContainerDemand",
  kind: "Container",
  create: () => new DemandLedger(haContainerDemandOf),
};

/** One ledger's totals as the world, or an operation (with its own changes of the ledger's kind applied), sees them. */
function ledgerDemand(view: World | Txn, type: LedgerType<DemandLedger>, cluster: string): DemandTotals {
  const ledger = view.ledger(type);
  if (!(view instanceof Txn) || view.changedCount(type.kind) === 0) return ledger.totals(cluster);
  const seen = view.memo(type.kind, type, () => new Map<string, DemandTotals>());
  let totals = seen.get(cluster);
  if (!totals) seen.set(cluster, (totals = ledger.totalsWith(cluster, view.changedPairs(type.kind))));
  return totals;
}

/** A cluster's demand totals, VMs and containers, as the world or an operation sees them. */
export function clusterDemand(view: World | Txn, cluster: string): DemandTotals {
  const vms = ledgerDemand(view, DEMAND_LEDGER, cluster);
  const containers = ledgerDemand(view, CONTAINER_DEMAND_LEDGER, cluster);
  if (containers.vms === 0) return vms;
  return {
    vms: vms.vms + containers.vms,
    containers: containers.containers,
    cpuMhz: vms.cpuMhz + containers.cpuMhz,
    vmsWithoutCpuReservation: vms.vmsWithoutCpuReservation + containers.vmsWithoutCpuReservation,
    memoryMb: vms.memoryMb + containers.memoryMb,
    largestCpuMhz: Math.max(vms.largestCpuMhz, containers.largestCpuMhz),
    largestMemoryMb: Math.max(vms.largestMemoryMb, containers.largestMemoryMb),
  };
}
