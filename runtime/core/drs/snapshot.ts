/**
 * A cluster as DRS plans over it: copies of its hosts that take planned moves, its running VMs with
 * their entitlements, and its rules. Planning moves VMs here only; the caller applies the plan to
 * the world through migrateVm. Feasibility is the placement profile's filters (state, pinning,
 * failover hosts, compatibility, capacity, storage visibility, mandatory rules and any plugin added
 * later) with purpose "migration", so DRS never proposes a move that placement would refuse.
 *
 * A VM being live-migrated counts on its target already (its load, and in the hosts' figures its
 * reservations, which the target holds from the start) and is never planned again; rules see it
 * there too, and an anti-affine VM keeps off the host it is still leaving. A VM moves at most once
 * per plan (`planned`): migrateVm cannot start a second move of a VM in flight. Balance counts connected
 * hosts that are not HA failover hosts, which DRS does not use for load balancing.
 */
import { isMandatory } from "../../../schema/rule";
import { hostWithFootprint } from "../allocation/accounting";
import { profileOf } from "../hypervisors/profiles";
import type { EvcMode } from "../../../schema/cluster";
import { type GuestCpu, guestCpuOn } from "../cpu/evc";
import { type ClusterRecord, type HostRecord, type RuleRecord, type VmRecord, isCheckedMode } from "../kernel/model";
import { type PlacementRequest, fits, hostVerdicts, placementRequest } from "../placement/framework";
import { DEFAULT_PROFILE } from "../placement/profile";
import { NO_RULES, type Locate, type RuleConstraints, constraintsFor, rulesByVm } from "../rules/constraints";
import type { Txn } from "../kernel/txn";
import { type Footprint, footprintOf, guestCostOnHost } from "../guests/vm-footprint";
import { hostScoreIf, meanVmScore } from "./happiness";
import { LoadState } from "./imbalance";
import { RunningVms } from "./running-vms";
import { placedVmSpec } from "../storage/placed-disks";

/** Shared by the VMs no rule names: most of a cluster's, at every pass. */
const NO_VM_RULES: readonly RuleRecord[] = [];

export class ClusterSnapshot {
  readonly hosts: HostRecord[];
  readonly hostIndex = new Map<string, number>();
  /**
   * The running VMs in name order, a column per figure (a pass reads one figure of many VMs at a
   * time): the record, the index in `hosts` where each runs or, in flight, where it is going, its
   * entitlement, what it wants of its host (demand within entitlement, with overhead: happiness.ts)
   * and the rules that name it.
   */
  readonly records: VmRecord[] = [];
  readonly vmHost: Int32Array;
  readonly vmCpu: Float64Array;
  readonly vmMemory: Float64Array;
  readonly vmWantCpu: Float64Array;
  readonly vmWantMemory: Float64Array;
  readonly vmRules: (readonly RuleRecord[])[] = [];
  /** Placement requests, built on first use: most VMs are never checked against another host. */
  private readonly requests: (PlacementRequest | undefined)[] = [];
  /** VM name -> index, built on first use: only rules and undone moves look VMs up by name. */
  private byName: Map<string, number> | undefined;
  /** VM indices per host, in name order. */
  readonly vmsOn: number[][];
  /** VMs this plan has moved (moveUnit); none of them is moved again. */
  readonly planned = new Set<number>();
  /** Hosts that count for balance, in name order, and each host's slot in `load` (-1: none). */
  active: number[] = [];
  private slot: Int32Array;
  load!: LoadState;
  /** Per balance slot: what the VMs want, for the modelled VM DRS scores (happiness.ts). */
  wants!: LoadState;

  /** The cluster's EVC baseline: what guests see of their hosts' CPUs. */
  private readonly evc: EvcMode | undefined;

  /**
   * `running`: the cluster's running VMs as `txn` sees them now, when the caller has just walked them
   * (a DRS pass's refresh), which spares walking them again.
   */
  constructor(txn: Txn, cluster: string, running: RunningVms = RunningVms.read(txn, cluster)) {
    this.evc = txn.get<ClusterRecord>("Cluster", cluster)?.spec.evc?.mode;
    this.hosts = [...txn.relatedObjects<HostRecord>("hostsInCluster", cluster)];
    this.hosts.forEach((h, i) => this.hostIndex.set(h.name, i));
    this.vmsOn = this.hosts.map(() => []);
    const byVm = rulesByVm(txn.relatedObjects<RuleRecord>("rulesInCluster", cluster));
    // Checked mode: the running VMs a caller handed over are the operation's own, figure for figure.
    if (isCheckedMode() && !running.sameAs(RunningVms.read(txn, cluster)))
      throw new Error(`internal: the running VMs handed to the snapshot of cluster ${cluster} are not the operation's`);
    const n = running.length;
    this.vmHost = new Int32Array(n);
    this.vmCpu = new Float64Array(n);
    this.vmMemory = new Float64Array(n);
    this.vmWantCpu = new Float64Array(n);
    this.vmWantMemory = new Float64Array(n);
    const { at, cpuEntitlement, memoryEntitlement, cpuDemand, memoryDemand } = running;
    for (let i = 0; i < n; i++) {
      const where = at[i];
      const host = where !== null ? this.hostIndex.get(where) : undefined;
      if (host === undefined) continue;
      const v = this.records.length;
      const vm = running.records[i];
      this.vmsOn[host].push(v);
      this.records.push(vm);
      this.vmHost[v] = host;
      this.vmCpu[v] = cpuEntitlement[i];
      this.vmMemory[v] = memoryEntitlement[i];
      this.vmWantCpu[v] = Math.min(cpuDemand[i], cpuEntitlement[i]);
      this.vmWantMemory[v] = Math.min(memoryDemand[i], memoryEntitlement[i]);
      // Most clusters have no rules: the VM's name is then not read.
      this.vmRules.push(byVm.size === 0 ? NO_VM_RULES : (byVm.get(vm.name) ?? NO_VM_RULES));
    }
    this.slot = new Int32Array(this.hosts.length);
    this.rebuildLoad();
  }

  /** Recomputes which hosts count for balance and their loads (after a host changes state). */
  rebuildLoad(): void {
    this.active = this.hosts.flatMap((h, i) => (h.status.state === "connected" && !h.status.haFailoverHost ? [i] : []));
    this.slot.fill(-1);
    this.active.forEach((h, k) => (this.slot[h] = k));
    const loads = (wanted: boolean) =>
      this.active.map((h) => {
        // A container host's load is its containers' (containers/container-usage.ts): DRS counts it, and moves no container.
        const containers = profileOf(this.hosts[h].spec).containers !== undefined;
        let cpuLoad = containers ? this.hosts[h].status.cpuEntitlementMhz : 0;
        let memoryLoad = containers ? this.hosts[h].status.memoryEntitlementMb : 0;
        const cpu = wanted ? this.vmWantCpu : this.vmCpu;
        const memory = wanted ? this.vmWantMemory : this.vmMemory;
        for (const v of this.vmsOn[h]) {
          cpuLoad += cpu[v];
          memoryLoad += memory[v];
        }
        return {
          cpuCapacity: this.hosts[h].status.cpuCapacityMhz,
          memoryCapacity: this.hosts[h].status.memoryCapacityMb,
          cpuLoad,
          memoryLoad,
        };
      });
    this.load = new LoadState(loads(false));
    this.wants = new LoadState(loads(true));
  }

  /** The modelled VM DRS score of the VMs on a host that counts for balance (happiness.ts). */
  hostScore(host: number): number {
    return hostScoreIf(this.wants, this.slot[host]);
  }

  /** The mean modelled VM DRS score of the VMs on hosts that count for balance. */
  meanVmScore(): number {
    return meanVmScore(
      this.wants,
      this.active.map((h) => this.vmsOn[h].length),
    );
  }

  slotOf(host: number): number {
    return this.slot[host];
  }

  hostName(host: number): string {
    return this.hosts[host].name;
  }

  vmName(vm: number): string {
    return this.records[vm].name;
  }

  vmIndex(name: string): number | undefined {
    this.byName ??= new Map(this.records.map((r, i) => [r.name, i]));
    return this.byName.get(name);
  }

  readonly locate: Locate = (vm) => {
    const i = this.vmIndex(vm);
    return i === undefined ? null : this.hostName(this.vmHost[i]);
  };

  /** The host a VM in flight still runs on. */
  private readonly leaving: Locate = (vm) => {
    const i = this.vmIndex(vm);
    return i === undefined ? null : (this.records[i].status.migration?.fromHost ?? null);
  };

  /** Why the VM cannot start a move now (already migrating, or moved earlier in this plan), or undefined. */
  whyBusy(vm: number): string | undefined {
    const r = this.records[vm];
    if (r.status.migration) return `migrating from ${r.status.migration.fromHost} to ${r.status.migration.toHost}`;
    return this.planned.has(vm) ? `already moved to ${this.hostName(this.vmHost[vm])} in this pass` : undefined;
  }

  /** Why DRS may not move the VM (busy, or pinned), or undefined. */
  whyFixed(vm: number): string | undefined {
    const r = this.records[vm];
    return this.whyBusy(vm) ?? (r.spec.host === undefined ? undefined : `pinned to ${r.spec.host} (spec.host)`);
  }

  /** Why a unit cannot move as one (a member that `why` objects to, named), or undefined: a group moves whole or not at all. */
  whyUnitStays(unit: readonly number[], why: (vm: number) => string | undefined = (v) => this.whyFixed(v)): string | undefined {
    for (const v of unit) {
      const reason = why(v);
      if (reason !== undefined) return unit.length > 1 ? `${this.vmName(v)} of its mandatory affinity group is ${reason}` : reason;
    }
    return undefined;
  }

  constraints(vm: number, locate: Locate = this.locate): RuleConstraints {
    const rules = this.vmRules[vm];
    return rules.length === 0 ? NO_RULES : constraintsFor(rules, this.records[vm].name, locate);
  }

  /** The CPU the guest sees where it runs (a VM in flight is never planned, so its source does not matter). */
  private guestCpu(vm: VmRecord): GuestCpu | undefined {
    const at = vm.status.currentHost === null ? undefined : this.hostIndex.get(vm.status.currentHost);
    return at === undefined ? undefined : guestCpuOn(this.hostName(at), this.hosts[at].spec, this.evc);
  }

  /** What the VM takes from `host`, with the overhead of running it there. */
  private footprintOn(vm: number, host: number): Footprint {
    const { spec, status } = this.records[vm];
    const target = this.hosts[host];
    const cost = guestCostOnHost(spec, target.spec);
    if (!cost) throw new Error(`internal: ${this.vmName(vm)} cannot run on ${target.name}`);
    return footprintOf(spec, target.name, status.cluster, cost);
  }

  private request(vm: number, locate: Locate): PlacementRequest {
    const record = this.records[vm];
    const request = (this.requests[vm] ??= {
      ...placementRequest(record.name, placedVmSpec(record), "migration", record.status.cpuDemandMhz, NO_RULES),
      guestCpu: this.guestCpu(record),
    });
    const rules = this.vmRules[vm];
    return rules.length === 0 ? request : { ...request, rules: constraintsFor(rules, record.name, locate, this.leaving) };
  }

  /**
   * The VMs that must move with `vm`: those of its mandatory affinity rules running on the same
   * host (moving one alone would break the rule). Sorted by name; `vm` alone when it has none.
   */
  unitOf(vm: number): number[] {
    const host = this.vmHost[vm];
    const unit = new Set([vm]);
    const queue = [vm];
    while (queue.length > 0) {
      const v = queue.pop()!;
      for (const rule of this.vmRules[v]) {
        if (rule.spec.type !== "affinity" || !isMandatory(rule.spec)) continue;
        for (const peer of rule.spec.vms) {
          const p = this.vmIndex(peer);
          if (p !== undefined && this.vmHost[p] === host && !unit.has(p)) {
            unit.add(p);
            queue.push(p);
          }
        }
      }
    }
    return [...unit].sort((a, b) => a - b);
  }

  /** Why `unit` cannot move to `host` together (empty when it can): the placement filters, member by member. */
  refusals(unit: readonly number[], host: number): string[] {
    const at = this.hostName(host);
    const members = new Set(unit.map((v) => this.vmName(v)));
    const locate: Locate = (name) => (members.has(name) ? at : this.locate(name));
    let record = this.hosts[host];
    for (const v of unit) {
      const req = this.request(v, locate);
      if (!fits(DEFAULT_PROFILE, req, record)) {
        return hostVerdicts(DEFAULT_PROFILE, req, record).map((verdict) =>
          unit.length > 1 ? `${this.vmName(v)}: ${verdict.reason}` : verdict.reason,
        );
      }
      record = hostWithFootprint(record, this.footprintOn(v, host), 1);
    }
    return [];
  }

  /** Entitled load of a unit, and what it wants of its host. */
  unitLoad(unit: readonly number[]): { cpu: number; memory: number; wantCpu: number; wantMemory: number } {
    let cpu = 0;
    let memory = 0;
    let wantCpu = 0;
    let wantMemory = 0;
    for (const v of unit) {
      cpu += this.vmCpu[v];
      memory += this.vmMemory[v];
      wantCpu += this.vmWantCpu[v];
      wantMemory += this.vmWantMemory[v];
    }
    return { cpu, memory, wantCpu, wantMemory };
  }

  /** Moves a VM in the snapshot: host copies, per-host lists and balance loads. */
  move(vm: number, to: number): void {
    const from = this.vmHost[vm];
    this.hosts[from] = hostWithFootprint(this.hosts[from], this.footprintOn(vm, from), -1);
    this.hosts[to] = hostWithFootprint(this.hosts[to], this.footprintOn(vm, to), 1);
    this.vmsOn[from] = this.vmsOn[from].filter((i) => i !== vm);
    const list = this.vmsOn[to];
    let at = list.length;
    while (at > 0 && list[at - 1] > vm) at--;
    list.splice(at, 0, vm);
    this.vmHost[vm] = to;
    const a = this.slot[from];
    const b = this.slot[to];
    if (a >= 0 && b >= 0) {
      this.load.move(a, b, this.vmCpu[vm], this.vmMemory[vm]);
      this.wants.move(a, b, this.vmWantCpu[vm], this.vmWantMemory[vm]);
    } else this.rebuildLoad();
  }

  /** Moves load that is not a VM's (a container's) between two hosts that count for balance. */
  moveLoad(from: number, to: number, cpu: number, memory: number): void {
    this.load.move(this.slot[from], this.slot[to], cpu, memory);
    this.wants.move(this.slot[from], this.slot[to], cpu, memory);
  }

  /** Takes a host out of balance (it goes to standby or maintenance once empty). */
  setState(host: number, state: HostRecord["status"]["state"]): void {
    const h = this.hosts[host];
    this.hosts[host] = { ...h, status: { ...h.status, state } };
    this.rebuildLoad();
  }
}
