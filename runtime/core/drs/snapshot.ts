/**
 * A cluster as DRS plans over it: copies of its hosts that take planned moves, its running VMs with
 * their entitlements, and its rules. Planning moves VMs here only; the caller applies the plan to
 * the world through migrateVm. Feasibility is the placement profile's filters (state, pinning,
 * capacity, compatibility, mandatory rules and any plugin added later), so DRS never proposes a
 * move that placement would refuse.
 */
import { isMandatory } from "../../../schema/rule";
import { hostWithFootprint } from "../accounting";
import type { HostRecord, RuleRecord, VmRecord } from "../model";
import { type PlacementRequest, fits, hostVerdicts, placementRequest } from "../placement/framework";
import { DEFAULT_PROFILE } from "../placement/profile";
import { NO_RULES, type Locate, type RuleConstraints, constraintsFor, rulesByVm } from "../rules/constraints";
import type { Txn } from "../txn";
import { type Footprint, currentFootprint } from "../vm-resources";
import { LoadState } from "./imbalance";

export interface SnapshotVm {
  record: VmRecord;
  /** Built on first use, as `request`. */
  footprint?: Footprint;
  /** Index of its host in `hosts`. */
  host: number;
  cpu: number;
  memory: number;
  rules: readonly RuleRecord[];
  /** Built on first use: most VMs are never checked against another host. */
  request?: PlacementRequest;
}

export class ClusterSnapshot {
  readonly hosts: HostRecord[];
  readonly hostIndex = new Map<string, number>();
  readonly vms: SnapshotVm[] = [];
  /** VM name -> index, built on first use: only rules and undone moves look VMs up by name. */
  private byName: Map<string, number> | undefined;
  /** VM indices per host, in name order. */
  readonly vmsOn: number[][];
  /** Hosts that count for balance (connected), in name order, and each host's slot in `load` (-1: none). */
  active: number[] = [];
  private slot: Int32Array;
  load!: LoadState;

  constructor(txn: Txn, cluster: string) {
    this.hosts = [...txn.relatedObjects<HostRecord>("hostsInCluster", cluster)];
    this.hosts.forEach((h, i) => this.hostIndex.set(h.name, i));
    this.vmsOn = this.hosts.map(() => []);
    const byVm = rulesByVm(txn.relatedObjects<RuleRecord>("rulesInCluster", cluster));
    for (const vm of txn.relatedObjects<VmRecord>("vmsInCluster", cluster)) {
      const host = vm.status.powerState === "on" && vm.status.currentHost !== null ? this.hostIndex.get(vm.status.currentHost) : undefined;
      if (host === undefined) continue;
      this.vmsOn[host].push(this.vms.length);
      this.vms.push({ record: vm, host, cpu: vm.status.cpuEntitlementMhz, memory: vm.status.memoryEntitlementMb, rules: byVm.get(vm.name) ?? [] });
    }
    this.slot = new Int32Array(this.hosts.length);
    this.rebuildLoad();
  }

  /** Recomputes which hosts count for balance and their loads (after a host changes state). */
  rebuildLoad(): void {
    this.active = this.hosts.flatMap((h, i) => (h.status.state === "connected" ? [i] : []));
    this.slot.fill(-1);
    this.active.forEach((h, k) => (this.slot[h] = k));
    this.load = new LoadState(
      this.active.map((h) => {
        let cpuLoad = 0;
        let memoryLoad = 0;
        for (const v of this.vmsOn[h]) {
          cpuLoad += this.vms[v].cpu;
          memoryLoad += this.vms[v].memory;
        }
        return { cpuCapacity: this.hosts[h].status.cpuCapacityMhz, memoryCapacity: this.hosts[h].status.memoryCapacityMb, cpuLoad, memoryLoad };
      }),
    );
  }

  slotOf(host: number): number {
    return this.slot[host];
  }

  hostName(host: number): string {
    return this.hosts[host].name;
  }

  vmName(vm: number): string {
    return this.vms[vm].record.name;
  }

  vmIndex(name: string): number | undefined {
    this.byName ??= new Map(this.vms.map((v, i) => [v.record.name, i]));
    return this.byName.get(name);
  }

  readonly locate: Locate = (vm) => {
    const i = this.vmIndex(vm);
    return i === undefined ? null : this.hostName(this.vms[i].host);
  };

  isPinned(vm: number): boolean {
    return this.vms[vm].record.spec.host !== undefined;
  }

  constraints(vm: number, locate: Locate = this.locate): RuleConstraints {
    const v = this.vms[vm];
    return v.rules.length === 0 ? NO_RULES : constraintsFor(v.rules, v.record.name, locate);
  }

  private footprint(vm: number): Footprint {
    const v = this.vms[vm];
    return (v.footprint ??= currentFootprint(v.record)!);
  }

  private request(vm: number, locate: Locate): PlacementRequest {
    const v = this.vms[vm];
    v.request ??= placementRequest(v.record.name, v.record.spec, this.footprint(vm), NO_RULES);
    return v.rules.length === 0 ? v.request : { ...v.request, rules: this.constraints(vm, locate) };
  }

  /**
   * The VMs that must move with `vm`: those of its mandatory affinity rules running on the same
   * host (moving one alone would break the rule). Sorted by name; `vm` alone when it has none.
   */
  unitOf(vm: number): number[] {
    const host = this.vms[vm].host;
    const unit = new Set([vm]);
    const queue = [vm];
    while (queue.length > 0) {
      const v = queue.pop()!;
      for (const rule of this.vms[v].rules) {
        if (rule.spec.type !== "affinity" || !isMandatory(rule.spec)) continue;
        for (const peer of rule.spec.vms) {
          const p = this.vmIndex(peer);
          if (p !== undefined && this.vms[p].host === host && !unit.has(p)) {
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
        return hostVerdicts(DEFAULT_PROFILE, req, record).map((verdict) => (unit.length > 1 ? `${this.vmName(v)}: ${verdict.reason}` : verdict.reason));
      }
      record = hostWithFootprint(record, this.footprint(v), 1);
    }
    return [];
  }

  /** Entitled load of a unit. */
  unitLoad(unit: readonly number[]): { cpu: number; memory: number } {
    let cpu = 0;
    let memory = 0;
    for (const v of unit) {
      cpu += this.vms[v].cpu;
      memory += this.vms[v].memory;
    }
    return { cpu, memory };
  }

  /** Moves a VM in the snapshot: host copies, per-host lists and balance loads. */
  move(vm: number, to: number): void {
    const v = this.vms[vm];
    const from = v.host;
    this.hosts[from] = hostWithFootprint(this.hosts[from], this.footprint(vm), -1);
    this.hosts[to] = hostWithFootprint(this.hosts[to], this.footprint(vm), 1);
    this.vmsOn[from] = this.vmsOn[from].filter((i) => i !== vm);
    const list = this.vmsOn[to];
    let at = list.length;
    while (at > 0 && list[at - 1] > vm) at--;
    list.splice(at, 0, vm);
    v.host = to;
    const a = this.slot[from];
    const b = this.slot[to];
    if (a >= 0 && b >= 0) this.load.move(a, b, v.cpu, v.memory);
    else this.rebuildLoad();
  }

  /** Takes a host out of balance (it goes to standby or maintenance once empty). */
  setState(host: number, state: HostRecord["status"]["state"]): void {
    const h = this.hosts[host];
    this.hosts[host] = { ...h, status: { ...h.status, state } };
    this.rebuildLoad();
  }
}
