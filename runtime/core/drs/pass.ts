/**
 * One DRS pass over a cluster, run every `drs.intervalSeconds` of simulated time (a timer per
 * cluster) and when something asks for one now (a rule changes, `polyvisor drs --now`):
 * 1. sample workloads (periodic passes only) and divvy entitlements over the pool tree;
 * 2. refresh usage on every host; power standby hosts back on when DPM says so;
 * 3. plan (rule corrections, VM happiness with balanceBy vmHappiness, then load balancing) on a snapshot;
 * 3b. container moves between hosts of one container technology (container-balancing.ts);
 * 4. fullyAutomated: start the moves as live migrations (DrsMigrated; they land when the pre-copy
 *    model says, see vm-moves.ts) and let DPM take a host to standby once its VMs have left;
 *    manual and partiallyAutomated: publish the moves as recommendations (DrsRecommended);
 * 5. record what the pass saw and did in the cluster's status.drs and the rules' statuses.
 * Glossary: DRS = Distributed Resource Scheduler, DPM = Distributed Power Management.
 */
import type { DrsMove, DrsStatus } from "../../../schema/cluster";
import { wholeUnits } from "../allocation/divide";
import { clusterEntitlements } from "../allocation/entitlements";
import { type VmClaims, vmClaims } from "../allocation/vm-claims";
import type { Amount } from "../allocation/accounting";
import { isUsable } from "../allocation/usable-hosts";
import { standbyBreaksAdmission } from "../ha/admission-check";
import { profileOf, runsVirtualMachines } from "../hypervisors/profiles";
import type { ClusterRecord, ContainerRecord, HostRecord, RuleRecord, VmRecord } from "../kernel/model";
import { refreshRuleStatus } from "../rules/violations";
import { beginStandby, exitStandby } from "../hosts/host-standby";
import { DRS_PASS_TASK, type TimerTaskHandler, schedule } from "../kernel/timers";
import type { Txn } from "../kernel/txn";
import { refreshHostUsage } from "../hosts/host-usage";
import { applyHostUsage } from "../vms/vm-usage";
import { migrateVm } from "../vms/vm-moves";
import { cpuDemandAt } from "../guests/workload-profiles";
import { hostsToWake, planStandby } from "./dpm";
import { recordPass } from "../history/record";
import { formatImbalance, roundImbalance } from "./imbalance";
import { roundScore } from "./happiness";
import type { BalanceSettings, PlannedMove } from "./planned-move";
import { planPass } from "./plan";
import { ClusterSnapshot } from "./snapshot";
import { RunningVms } from "./running-vms";
import { type PlannedContainerMove, planContainerMoves } from "./container-balancing";
import { moveContainer } from "../containers/container-moves";
import { findTemplate } from "../containers/templates";

export function emptyDrsStatus(): DrsStatus {
  return {
    lastPassSeconds: null,
    imbalanceBefore: 0,
    imbalance: 0,
    projectedImbalance: 0,
    targetImbalance: 0,
    cpuImbalance: 0,
    memoryImbalance: 0,
    moves: [],
    recommendations: [],
    unresolved: [],
    summary: "no DRS pass has run yet",
  };
}

/** (Re)schedules the cluster's periodic pass one interval from now. */
export function scheduleDrsPass(txn: Txn, cluster: string, intervalSeconds: number): void {
  txn.cancelTimers((t) => t.task === DRS_PASS_TASK && t.name === cluster);
  schedule(txn, txn.clockSeconds + intervalSeconds, DRS_PASS_TASK, { kind: "Cluster", name: cluster });
}

/** Schedules the periodic pass of a new cluster, of one whose interval changed, or of one from a state that has none yet. */
export function ensureDrsPass(txn: Txn, cluster: string, intervalSeconds: number, previousIntervalSeconds: number | undefined): void {
  const pending = txn.pendingTimers.some((t) => t.task === DRS_PASS_TASK && t.name === cluster);
  if (!pending || previousIntervalSeconds !== intervalSeconds) scheduleDrsPass(txn, cluster, intervalSeconds);
}

export function cancelDrsPass(txn: Txn, cluster: string): void {
  txn.cancelTimers((t) => t.task === DRS_PASS_TASK && t.name === cluster);
}

/** The next periodic pass; also after a pass that failed, so that one bad pass does not end DRS. */
function nextPass(txn: Txn, cluster: string): void {
  const record = txn.get<ClusterRecord>("Cluster", cluster);
  if (record) scheduleDrsPass(txn, cluster, record.spec.drs.intervalSeconds);
}

/** The periodic pass: a pass that failed still sets the next one. */
export const drsPassTimer: TimerTaskHandler = {
  run: (txn, timer) => {
    if (!txn.get<ClusterRecord>("Cluster", timer.name)) return;
    runDrsPass(txn, timer.name, { sampleWorkloads: true });
    nextPass(txn, timer.name);
  },
  recover: (txn, timer) => nextPass(txn, timer.name),
};

export interface PassOptions {
  /** Draw new workload demands (the periodic pass does; a pass asked for now keeps the last sample). */
  sampleWorkloads?: boolean;
  /** Apply the moves whatever the automation level (an operator applying recommendations). */
  applyRecommendations?: boolean;
  /** Correct rule violations only (a rule changed); load balancing waits for the periodic pass. */
  rulesOnly?: boolean;
}

/** The hosts of the cluster it reaches (an isolated host's VMs are out of its sight). */
function reachedHosts(txn: Txn, cluster: string): Set<string> {
  return new Set(txn.relatedObjects<HostRecord>("hostsInCluster", cluster).flatMap((h) => (h.status.state === "isolated" ? [] : [h.name])));
}

/**
 * The VM with a new demand sample, not written yet: refreshEntitlements writes each VM once, with its
 * sample, its entitlement and its usage. A sample within `tolerancePercent` of the VM's stored demand
 * keeps the stored one: a diurnal workload moves by about 1% a pass, and a VM whose demand is unchanged
 * keeps its claims, so its entitlement and usage stay too and the pass need not rewrite it.
 */
function withNewSample(txn: Txn, vm: VmRecord, tolerancePercent: number): VmRecord {
  const demand = cpuDemandAt(vm.spec.workload, txn.clockSeconds, txn.random);
  const stored = vm.status.cpuDemandMhz;
  return demand === stored || Math.abs(demand - stored) * 100 <= tolerancePercent * stored
    ? vm
    : { ...vm, status: { ...vm.status, cpuDemandMhz: demand } };
}

/** What the cluster's VMs share: its usable hosts that run VMs (container-only hosts schedule their own). */
function vmCapacity(txn: Txn, cluster: string): Amount {
  const hosts = txn
    .relatedObjects<HostRecord>("hostsInCluster", cluster)
    .filter((h) => isUsable(h) && runsVirtualMachines(profileOf(h.spec)));
  return {
    cpu: hosts.reduce((sum, h) => sum + h.status.cpuCapacityMhz, 0),
    memory: hosts.reduce((sum, h) => sum + h.status.memoryCapacityMb, 0),
  };
}

/**
 * Divvies the VM hosts' capacity into entitlements, then refreshes usage on every host of the
 * cluster. Each VM's claims are computed once and its record written at most once per step, with its
 * sample, its entitlement and its usage together. Returns the cluster's running VMs as the refresh
 * left them, for the pass's snapshot.
 */
function refreshEntitlements(txn: Txn, cluster: string, sample: boolean): RunningVms {
  const reached = reachedHosts(txn, cluster);
  const tolerancePercent = sample ? (txn.get<ClusterRecord>("Cluster", cluster)!.spec.drs.demandTolerancePercent ?? 0) : undefined;
  const inCluster = txn.relatedObjects<VmRecord>("vmsInCluster", cluster);
  const all = new RunningVms(inCluster.length);
  // The running VMs as stored, with new samples drawn in name order (bursts draw the same random numbers on every run), and their claims: one walk.
  const stored: VmRecord[] = [];
  const vms: VmRecord[] = [];
  const claims: VmClaims[] = [];
  /** Per VM the refresh divides among: its index in `all`. */
  const refreshed: number[] = [];
  for (const vm of inCluster) {
    if (vm.status.powerState !== "on") continue;
    const host = vm.status.currentHost;
    if (host === null || !reached.has(host)) {
      // Out of the refresh's sight (an isolated host) but still the snapshot's.
      all.add(vm, vmClaims(vm));
      continue;
    }
    const sampled = tolerancePercent === undefined ? vm : withNewSample(txn, vm, tolerancePercent);
    const claim = vmClaims(sampled);
    refreshed.push(all.add(sampled, claim));
    stored.push(vm);
    vms.push(sampled);
    claims.push(claim);
  }
  const entitlements = clusterEntitlements(txn, cluster, vmCapacity(txn, cluster), vms, claims);
  const byHost = new Map<string, HostVms>();
  vms.forEach((vm, i) => {
    const cpu = wholeUnits(entitlements.cpu[i]);
    const memory = wholeUnits(entitlements.memory[i]);
    let updated = vm;
    if (cpu !== vm.status.cpuEntitlementMhz || memory !== vm.status.memoryEntitlementMb) {
      updated = { ...vm, status: { ...vm.status, cpuEntitlementMhz: cpu, memoryEntitlementMb: memory } };
      all.replace(refreshed[i], updated);
    }
    // A VM migrating counts on its target too (incoming entitlement), which may be refreshed before its source.
    const writeNow = updated !== stored[i] && updated.status.migration !== null;
    if (writeNow) txn.put<VmRecord>(updated);
    const host = vm.status.currentHost!;
    let here = byHost.get(host);
    if (!here) byHost.set(host, (here = { vms: [], claims: [], unwritten: [] }));
    here.vms.push(updated);
    here.claims.push(claims[i]);
    here.unwritten.push(updated !== stored[i] && !writeNow);
  });
  for (const host of txn.relatedObjects<HostRecord>("hostsInCluster", cluster)) {
    const here = byHost.get(host.name);
    if (here) applyHostUsage(txn, host, here.vms, here.claims, here.unwritten);
    else refreshHostUsage(txn, host.name);
  }
  return all;
}

interface HostVms {
  vms: VmRecord[];
  claims: VmClaims[];
  /** Whether each VM is a new version not written yet (a new sample or entitlement). */
  unwritten: boolean[];
}

/** Starts planned moves as live migrations; DRS leaves each moved VM alone for the cooldown. */
export function applyMoves(txn: Txn, moves: readonly PlannedMove[], cooldownSeconds: number): void {
  for (const m of moves) {
    const vm = migrateVm(txn, m.vm, m.toHost, {
      reason: "DrsMigrated",
      message: `moved from ${m.fromHost} to ${m.toHost} (priority ${m.priority}): ${m.reason}`,
    });
    txn.put<VmRecord>({ ...vm, status: { ...vm.status, drsCooldownUntilSeconds: txn.clockSeconds + cooldownSeconds } });
  }
}

/** Starts planned container moves (checkpoint/restore or detach/attach, containers/container-moves.ts). */
function applyContainerMoves(txn: Txn, moves: readonly PlannedContainerMove[]): void {
  for (const m of moves) {
    const c = txn.get<ContainerRecord>("Container", m.container)!;
    const req = { name: c.name, spec: c.spec, template: findTemplate(txn, c.spec.template)! };
    const status = moveContainer(txn, req, c.status, txn.get<HostRecord>("Host", m.fromHost)!, txn.get<HostRecord>("Host", m.toHost)!);
    txn.put<ContainerRecord>({ ...c, status });
    txn.emit("Container", m.container, "DrsMigrated", `moved from ${m.fromHost} to ${m.toHost} (priority ${m.priority}): ${m.reason}`);
  }
}

const asDrsMove = (m: PlannedContainerMove): DrsMove => ({
  vm: m.container,
  kind: "Container",
  fromHost: m.fromHost,
  toHost: m.toHost,
  priority: m.priority,
  reason: m.reason,
});

const sameMove = (a: DrsMove, b: DrsMove) =>
  a.vm === b.vm && (a.kind ?? "VirtualMachine") === (b.kind ?? "VirtualMachine") && a.fromHost === b.fromHost && a.toHost === b.toHost;

function recommend(txn: Txn, previous: readonly DrsMove[], moves: readonly DrsMove[]): void {
  for (const m of moves) {
    if (previous.some((p) => sameMove(p, m))) continue;
    txn.emit(
      m.kind ?? "VirtualMachine",
      m.vm,
      "DrsRecommended",
      `recommend moving from ${m.fromHost} to ${m.toHost} (priority ${m.priority}): ${m.reason}`,
    );
  }
}

export function balanceSettings(txn: Txn, cluster: ClusterRecord): BalanceSettings {
  const d = cluster.spec.drs;
  return {
    migrationThreshold: d.migrationThreshold,
    maxMovesPerPass: d.maxMovesPerPass,
    minGain: d.minGain,
    intervalSeconds: d.intervalSeconds,
    migration: cluster.spec.migration,
    balanceBy: d.balanceBy,
    nowSeconds: txn.clockSeconds,
  };
}

/** Runs one pass now and returns what it recorded in the cluster's status.drs. */
export function runDrsPass(txn: Txn, clusterName: string, options: PassOptions = {}): DrsStatus {
  const drs = txn.get<ClusterRecord>("Cluster", clusterName)!.spec.drs;
  let running = refreshEntitlements(txn, clusterName, options.sampleWorkloads === true);

  const woken =
    drs.automationLevel === "fullyAutomated" || !drs.dpm.enabled
      ? hostsToWake(txn.relatedObjects<HostRecord>("hostsInCluster", clusterName), drs.dpm)
      : [];
  for (const w of woken) exitStandby(txn, w.host, w.why);
  if (woken.length > 0) running = refreshEntitlements(txn, clusterName, false);

  const cluster = txn.get<ClusterRecord>("Cluster", clusterName)!;
  const snap = new ClusterSnapshot(txn, clusterName, running);
  const before = measure(snap);
  let status: Omit<DrsStatus, "lastPassSeconds">;
  if (!drs.enabled) {
    status = {
      ...emptyDrsStatus(),
      ...before,
      projectedImbalance: before.imbalance,
      vmScoreBefore: before.vmScore,
      projectedVmScore: before.vmScore,
      summary: "DRS is disabled: entitlements and usage only",
    };
  } else {
    const settings = balanceSettings(txn, cluster);
    const plan = planPass(snap, settings, options.rulesOnly);
    const containerMoves = options.rulesOnly
      ? []
      : planContainerMoves(txn, snap, clusterName, settings, drs.containerMoves ?? "checkpointRestore", plan.targetImbalance);
    const applying = drs.automationLevel === "fullyAutomated" || options.applyRecommendations === true;
    let summary = plan.summary;
    if (containerMoves.length > 0)
      summary += `; then ${containerMoves.length} container move(s) between hosts of one technology, imbalance ${formatImbalance(snap.load.imbalance())}`;
    const moves = [...plan.moves, ...containerMoves.map(asDrsMove)];
    if (applying) {
      applyMoves(txn, plan.moves, drs.vmCooldownSeconds);
      applyContainerMoves(txn, containerMoves);
      const haObjection = (host: string) => standbyBreaksAdmission(txn, cluster, host);
      const standby = drs.automationLevel === "fullyAutomated" && !options.rulesOnly ? planStandby(snap, drs.dpm, haObjection) : null;
      if (standby) {
        applyMoves(txn, standby.moves, drs.vmCooldownSeconds);
        beginStandby(txn, snap.hostName(standby.host), standby.why);
        summary += `; ${standby.why}`;
      }
    } else {
      recommend(txn, cluster.status.drs.recommendations, moves);
    }
    const after = measure(snap);
    status = {
      ...(applying ? after : before),
      imbalanceBefore: before.imbalance,
      projectedImbalance: after.imbalance,
      vmScoreBefore: before.vmScore,
      projectedVmScore: after.vmScore,
      targetImbalance: roundImbalance(plan.targetImbalance),
      moves: applying ? moves : [],
      recommendations: applying ? [] : moves,
      unresolved: plan.unresolved,
      summary: `imbalance ${formatImbalance(before.imbalance)} -> ${formatImbalance(after.imbalance)}${applying ? "" : " if the recommendations are applied"}; ${summary}`,
    };
  }
  for (const rule of txn.relatedObjects<RuleRecord>("rulesInCluster", clusterName)) refreshRuleStatus(txn, rule);
  const recorded: DrsStatus = { ...status, lastPassSeconds: txn.clockSeconds };
  const latest = txn.get<ClusterRecord>("Cluster", clusterName)!;
  txn.put<ClusterRecord>({ ...latest, status: { ...latest.status, drs: recorded } });
  recordPass(txn, clusterName, recorded.imbalance, recorded.targetImbalance);
  return recorded;
}

/** The snapshot's imbalance figures and mean modelled VM DRS score, rounded for status. */
function measure(snap: ClusterSnapshot): Pick<DrsStatus, "imbalance" | "cpuImbalance" | "memoryImbalance"> & { vmScore: number } {
  return {
    vmScore: roundScore(snap.meanVmScore()),
    imbalance: roundImbalance(snap.load.imbalance()),
    cpuImbalance: roundImbalance(snap.load.sigma(0)),
    memoryImbalance: roundImbalance(snap.load.sigma(1)),
  };
}
