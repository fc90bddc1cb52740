/**
 * HA restarts: a failed (or isolation-powered-off) host's VMs are powered on again on surviving hosts
 * of the cluster, by restart priority. A restart is a power-on, not a migration: it goes through the
 * shared placement profile with purpose "restart" (so failover hosts are tried first, and mandatory
 * rules and storage visibility hold as for any placement) and through resource-pool admission, but not through the HA policy, which exists to
 * set this capacity aside ("when a failure occurs vSphere HA uses whatever capacity is available for
 * virtual machine restarts", vSphere Availability guide, vSphere HA Admission Control).
 *
 * A restart wave takes the VMs whose turn has come (their failure declared) and restarts the highest
 * priority among them; a lower priority starts only once every VM of a higher priority that HA
 * restarted is up (booted). VMs no host can take become pendingRestart, and are retried as soon as
 * capacity returns (a host recovers or joins, a VM powers off or shrinks); lower priorities do not
 * wait for them. Before a VM is left pending, a standby host that can take it is powered back on
 * (DPM's standby hosts are capacity HA may call on, not failover capacity admission control counts).
 * A VM waiting for a restart that is pinned to one host (spec.host) has room kept for it there: the
 * others go to that host only when no other host can take them, so that a higher priority landing
 * where it could have gone elsewhere does not strand a pinned VM.
 */
import type { ClusterSpec } from "../../../schema/cluster";
import { hostWithFootprint } from "../allocation/accounting";
import { isPolyvisorError } from "../kernel/errors";
import type { ClusterRecord, HostRecord, VmRecord } from "../kernel/model";
import { compareNames } from "../kernel/model";
import { type PlacementRequest, type PlacementResult, type Verdict, place } from "../placement/framework";
import { DEFAULT_PROFILE } from "../placement/profile";
import { vmPlacementRequest } from "../placement/vm-request";
import { exitStandby } from "../hosts/host-standby";
import { RESTART_WAVE_TASK as RESTART_WAVE, type TimerTaskHandler, schedule } from "../kernel/timers";
import type { Txn } from "../kernel/txn";
import { powerOnAt } from "../vms/vm-power-on";
import { type Footprint, footprintOf, guestCostOnHost } from "../guests/vm-footprint";
import { haDemandOf } from "./demand";
import { restartPriority, restartRank } from "./priority";
import { dependenciesReadyAt } from "./restart-dependencies";
import { placedVmSpec } from "../storage/placed-disks";
import { setVmRestart } from "./restart-state";
import { blocksUntil, bootSeconds } from "./timing";

/** A restart wave due now or when a tier is up. */

/** Adds nothing: copies made through hostWithFootprint share one object shape, which keeps the placement loop fast. */
const NO_FOOTPRINT: Footprint = {
  host: "",
  cluster: null,
  pool: null,
  cpuReservationMhz: 0,
  memoryReservationMb: 0,
  cpuOverheadReservedMhz: 0,
  cpuDemandMhz: 0,
  cpuOverheadMhz: 0,
  memoryConsumedMb: 0,
  vcpus: 0,
  memoryMb: 0,
};

/**
 * The hosts of a cluster as placement sees them during a wave, updated as VMs land. Hosts that are
 * not connected cannot take a VM; they are left out of the search and consulted only to explain
 * why a VM found no host.
 */
class ClusterHosts {
  private readonly all: HostRecord[];
  private readonly index = new Map<string, number>();
  private connected: HostRecord[] = [];
  private readonly failover: HostRecord[];
  /** Where each host sits in `connected` and in `failover`: a landing replaces its host's record in place. */
  private readonly connectedAt = new Map<string, number>();
  private readonly failoverAt = new Map<string, number>();
  /** VMs waiting for a restart that are pinned to a host: room is kept for them there. */
  private readonly pinned: string[];

  constructor(
    private readonly txn: Txn,
    private readonly cluster: string,
  ) {
    this.all = txn.relatedObjects<HostRecord>("hostsInCluster", cluster).map((h) => hostWithFootprint(h, NO_FOOTPRINT, 1));
    this.all.forEach((h, i) => this.index.set(h.name, i));
    this.takeConnected();
    this.failover = this.connected.filter((h) => h.status.haFailoverHost);
    this.failover.forEach((h, i) => this.failoverAt.set(h.name, i));
    this.pinned = txn
      .relatedObjects<VmRecord>("haRestartsInCluster", cluster)
      .flatMap((vm) => (vm.spec.host !== undefined && vm.status.haRestart!.state !== "restarting" ? [vm.name] : []));
  }

  /**
   * Failover hosts first ("restarts go there first, then elsewhere"), then every connected host, then
   * a standby host brought back for it; each host adds its own overhead. Hosts are tried first with
   * the room that pinned VMs waiting for a restart need set aside (keptFor), then as they are.
   */
  place(vm: VmRecord): PlacementResult {
    const req = vmPlacementRequest(this.txn, vm.name, placedVmSpec(vm), this.cluster, "restart");
    const views =
      this.pinned.length > 0
        ? [(hosts: HostRecord[]) => this.keptFor(vm.name, hosts), (hosts: HostRecord[]) => hosts]
        : [(hosts: HostRecord[]) => hosts];
    for (const view of views) {
      if (this.failover.length > 0) {
        const first = place(DEFAULT_PROFILE, req, view(this.failover));
        if (first.placed) return first;
      }
      const result = place(DEFAULT_PROFILE, req, view(this.connected));
      if (result.placed) return result;
    }
    return this.wakeFor(req) ?? place(DEFAULT_PROFILE, req, this.all);
  }

  /** `hosts` with the footprint of each other pinned VM still waiting for a restart charged to its host (the same array when none). */
  private keptFor(vm: string, hosts: HostRecord[]): HostRecord[] {
    let out = hosts;
    for (const name of this.pinned) {
      if (name === vm) continue;
      const waiting = this.txn.get<VmRecord>("VirtualMachine", name);
      const state = waiting?.status.haRestart?.state;
      if (!waiting || state === undefined || state === "restarting") continue;
      const at = out.findIndex((h) => h.name === waiting.spec.host);
      const cost = at >= 0 ? guestCostOnHost(waiting.spec, out[at].spec) : undefined;
      if (!cost) continue;
      if (out === hosts) out = [...hosts];
      out[at] = hostWithFootprint(out[at], footprintOf(waiting.spec, out[at].name, waiting.status.cluster, cost), 1);
    }
    return out;
  }

  /** The placement on a standby host that could take the VM were it on; that host is powered back on. */
  private wakeFor(req: PlacementRequest): PlacementResult | undefined {
    const standby = this.all
      .filter((h) => h.status.state === "standby")
      .map((h) => ({ ...h, status: { ...h.status, state: "connected" as const } }));
    if (standby.length === 0) return undefined;
    const result = place(DEFAULT_PROFILE, req, standby);
    if (!result.placed) return undefined;
    exitStandby(this.txn, result.host, `HA needs its capacity to restart ${req.vm}`);
    this.refresh(result.host);
    this.takeConnected();
    return result;
  }

  /** The connected hosts of `all`, in name order, and their positions. */
  private takeConnected(): void {
    this.connected = this.all.filter((h) => h.status.state === "connected");
    this.connectedAt.clear();
    this.connected.forEach((h, i) => this.connectedAt.set(h.name, i));
  }

  get(name: string): HostRecord {
    return this.all[this.index.get(name)!];
  }

  get size(): number {
    return this.all.length;
  }

  refresh(name: string): void {
    const host = this.txn.get<HostRecord>("Host", name)!;
    this.all[this.index.get(name)!] = host;
    // In place: placement reads these lists per decision and keeps no reference to them.
    const connected = this.connectedAt.get(name);
    if (connected !== undefined) this.connected[connected] = host;
    const failover = this.failoverAt.get(name);
    if (failover !== undefined) this.failover[failover] = host;
  }
}

/** Bigger reservations first within a priority (first-fit decreasing packs better), then by name. */
function inRestartOrder(vms: VmRecord[]): VmRecord[] {
  const keyed = vms.map((vm) => ({ vm, d: haDemandOf(vm)! }));
  keyed.sort((a, b) => b.d.memoryMb - a.d.memoryMb || b.d.cpuMhz - a.d.cpuMhz || compareNames(a.vm.name, b.vm.name));
  return keyed.map((k) => k.vm);
}

/** "Capacity: esx1, esx3; HostState: esx2": which plugin stopped which hosts, stable across retries. */
function rejectionSummary(rejections: { host: string; verdicts: Verdict[] }[]): string {
  const byPlugin = new Map<string, string[]>();
  for (const r of rejections) {
    const plugin = r.verdicts[0]?.plugin ?? "none";
    if (!byPlugin.has(plugin)) byPlugin.set(plugin, []);
    byPlugin.get(plugin)!.push(r.host);
  }
  return [...byPlugin].map(([plugin, hosts]) => `${plugin}: ${hosts.join(", ")}`).join("; ");
}

function rejectionDetails(rejections: { host: string; verdicts: Verdict[] }[]): string {
  const shown = rejections.slice(0, 8).map((r) => `${r.host}: ${r.verdicts.map((v) => v.reason).join("; ")}`);
  const more = rejections.length - shown.length;
  return shown.join("; ") + (more > 0 ? `; and ${more} more hosts` : "");
}

/** Records that no host could take the VM now; an unchanged reason is not announced again. */
function markPending(txn: Txn, vm: VmRecord, summary: string, details: string, refusedByAdmission: boolean): void {
  const restart = vm.status.haRestart!;
  if (restart.state === "pendingRestart" && restart.pendingReason === summary) return;
  if (refusedByAdmission) txn.emit("VirtualMachine", vm.name, "AdmissionRefused", `HA restart refused by admission control: ${details}`);
  setVmRestart(
    txn,
    vm,
    { ...restart, state: "pendingRestart", pendingReason: summary },
    {
      reason: "HaRestartPending",
      message: `no host can restart it now (${summary}): ${details}; it restarts as soon as capacity returns`,
    },
  );
}

/**
 * Tries to power the VM on again on a surviving host; returns when its guest will be up and until when
 * lower priorities wait for it, or undefined when it stays pending.
 */
function tryRestart(txn: Txn, vm: VmRecord, cluster: ClusterRecord, hosts: ClusterHosts): { up: number; blocks: number } | undefined {
  const result = hosts.place(vm);
  if (!result.placed) {
    markPending(txn, vm, rejectionSummary(result.rejections), rejectionDetails(result.rejections), false);
    return undefined;
  }
  let running: VmRecord["status"];
  try {
    running = powerOnAt(txn, vm.name, vm.spec, cluster.name, hosts.get(result.host), vm.status);
  } catch (e) {
    if (!isPolyvisorError(e)) throw e;
    markPending(txn, vm, `admission control: ${e.reason}`, [e.reason, ...e.details].join("; "), true);
    return undefined;
  }
  hosts.refresh(result.host);
  const now = txn.clockSeconds;
  const restart = vm.status.haRestart!;
  const boot = bootSeconds(vm.spec);
  const blocks = blocksUntil(vm.spec, now, now + boot);
  const scores = Object.entries(result.breakdown)
    .map(([plugin, s]) => `${plugin} ${s.toFixed(1)}`)
    .join(", ");
  setVmRestart(
    txn,
    vm,
    { ...restart, state: "restarting", readyAtSeconds: now + boot, blocksUntilSeconds: blocks, pendingReason: null },
    {
      reason: "HaRestarted",
      message:
        `restarted on ${result.host} ${now - restart.downSinceSeconds} s after it went down on ${restart.fromHost} (priority ${restartPriority(vm.spec, cluster.spec)}): ` +
        `score ${result.score.toFixed(1)} (${scores}), ${result.feasible} of ${hosts.size} hosts feasible; the guest is up in ${boot} s`,
    },
    running,
  );
  return { up: now + boot, blocks };
}

/**
 * Restarts `vms` in order; schedules the wave that follows once the last restarted guest is up, and
 * one when the last of them stops holding lower priorities back (haRestartTimeoutSeconds), if sooner.
 */
function restartAll(txn: Txn, cluster: ClusterRecord, hosts: ClusterHosts, vms: VmRecord[]): boolean {
  let lastUp = -Infinity;
  let lastBlock = -Infinity;
  for (const vm of vms) {
    const restarted = tryRestart(txn, vm, cluster, hosts);
    if (!restarted) continue;
    lastUp = Math.max(lastUp, restarted.up);
    lastBlock = Math.max(lastBlock, restarted.blocks);
  }
  if (lastUp === -Infinity) return false;
  if (lastBlock < lastUp) requestRestartWave(txn, cluster.name, lastBlock);
  requestRestartWave(txn, cluster.name, lastUp);
  return true;
}

/** Until when a booting VM holds lower priorities back. */
const blockingUntil = (vm: VmRecord) => vm.status.haRestart!.blocksUntilSeconds ?? vm.status.haRestart!.readyAtSeconds!;

/** "high: a, b; medium: c" */
function byPriority(spec: ClusterSpec, vms: readonly VmRecord[]): string {
  const groups = new Map<string, { rank: number; names: string[] }>();
  for (const vm of vms) {
    const p = restartPriority(vm.spec, spec);
    if (!groups.has(p)) groups.set(p, { rank: restartRank(vm.spec, spec), names: [] });
    groups.get(p)!.names.push(vm.name);
  }
  return [...groups]
    .sort(([, a], [, b]) => b.rank - a.rank)
    .map(([p, g]) => `${p}: ${g.names.join(", ")}`)
    .join("; ");
}

/** Clears the restart state of the VMs whose guest is up; returns those still booting. */
function finishBooted(txn: Txn, cluster: ClusterRecord, queue: readonly VmRecord[]): VmRecord[] {
  const now = txn.clockSeconds;
  const restarting = queue.filter((vm) => vm.status.haRestart!.state === "restarting");
  const up = restarting.filter((vm) => vm.status.haRestart!.readyAtSeconds! <= now);
  for (const vm of up) setVmRestart(txn, vm, null);
  if (up.length > 0) {
    txn.emit("Cluster", cluster.name, "HaTierReady", `${up.length} VM(s) restarted by HA are up (${byPriority(cluster.spec, up)})`);
    const left = queue.filter((vm) => !up.includes(vm));
    if (!left.some((vm) => vm.status.haRestart!.state !== "pendingRestart")) {
      const pending = left.length;
      txn.emit(
        "Cluster",
        cluster.name,
        "HaFailoverCompleted",
        pending === 0
          ? "every VM HA had to restart is up"
          : `every VM HA could restart is up; ${pending} VM(s) wait for capacity (pendingRestart)`,
      );
    }
  }
  return restarting.filter((vm) => !up.includes(vm));
}

/**
 * Restarts the VMs whose turn has come, highest priority first; a lower priority waits while VMs
 * of a higher one are still booting. Runs when a failure is declared and each time a tier is up.
 */
export function runRestartWave(txn: Txn, clusterName: string): void {
  const cluster = txn.get<ClusterRecord>("Cluster", clusterName);
  if (!cluster) return;
  const queue = txn.relatedObjects<VmRecord>("haRestartsInCluster", clusterName);
  const now = txn.clockSeconds;
  // Guests up by now: a dependency's delay counts from here, and their restart state is cleared next.
  const upAt = new Map(
    queue.flatMap((vm) =>
      vm.status.haRestart!.state === "restarting" && vm.status.haRestart!.readyAtSeconds! <= now
        ? [[vm.name, vm.status.haRestart!.readyAtSeconds!] as const]
        : [],
    ),
  );
  const booting = finishBooted(txn, cluster, queue);
  if (!cluster.spec.ha.enabled) return;
  // A booting VM past its restart timeout no longer holds lower priorities back (vSphere's restartPriorityTimeout).
  const timedOut = booting.filter((vm) => blockingUntil(vm) <= now);
  let blockRank = Math.max(0, ...booting.filter((vm) => blockingUntil(vm) > now).map((vm) => restartRank(vm.spec, cluster.spec)));
  let candidates = queue.filter((vm) => vm.status.haRestart!.state === "awaitingRestart" && vm.status.haRestart!.eligibleAtSeconds <= now);
  const hosts = new ClusterHosts(txn, clusterName);
  for (;;) {
    // Read again after each tier: a dependency restarted just now may be all a dependent waits for.
    const waiting = withDependenciesUp(txn, clusterName, candidates, upAt);
    if (waiting.length === 0) return;
    const top = Math.max(...waiting.map((vm) => restartRank(vm.spec, cluster.spec)));
    if (top < blockRank) return;
    const tier = inRestartOrder(waiting.filter((vm) => restartRank(vm.spec, cluster.spec) === top));
    candidates = candidates.filter((vm) => !tier.includes(vm));
    announceTimeouts(txn, cluster, timedOut, top, tier);
    if (restartAll(txn, cluster, hosts, tier)) blockRank = top;
  }
}

/** Says which booting VMs of a higher priority the tier no longer waits for, once per VM (when it first stops waiting). */
function announceTimeouts(txn: Txn, cluster: ClusterRecord, timedOut: readonly VmRecord[], rank: number, tier: readonly VmRecord[]): void {
  const passed = timedOut.filter((vm) => restartRank(vm.spec, cluster.spec) > rank && blockingUntil(vm) === txn.clockSeconds);
  if (passed.length === 0) return;
  const names = passed.map((vm) => `${vm.name} (up at ${vm.status.haRestart!.readyAtSeconds} s)`).join(", ");
  txn.emit(
    "Cluster",
    cluster.name,
    "HaRestartTimeout",
    `${names} not up within its restart priority timeout: HA restarts the next priority now (${byPriority(cluster.spec, tier)})`,
  );
}

/**
 * The VMs whose restart dependencies are up (restart-dependencies.ts); for those whose dependencies
 * will be up at a known time a wave is requested then. The others wait for a later wave (one runs
 * each time a restarted guest is up).
 */
function withDependenciesUp(txn: Txn, cluster: string, vms: VmRecord[], upAt: ReadonlyMap<string, number>): VmRecord[] {
  const now = txn.clockSeconds;
  return vms.filter((vm) => {
    const at = dependenciesReadyAt(txn, cluster, vm.name, upAt);
    if (at !== null && at > now) requestRestartWave(txn, cluster, at);
    return at !== null && at <= now;
  });
}

/** Retries the VMs waiting for capacity, highest priority first: capacity may have returned. */
export function retryPendingRestarts(txn: Txn, clusterName: string): void {
  const cluster = txn.get<ClusterRecord>("Cluster", clusterName);
  if (!cluster?.spec.ha.enabled) return;
  const pending = txn
    .relatedObjects<VmRecord>("haRestartsInCluster", clusterName)
    .filter((vm) => vm.status.haRestart!.state === "pendingRestart");
  if (pending.length === 0) return;
  const ordered = inRestartOrder(pending).sort((a, b) => restartRank(b.spec, cluster.spec) - restartRank(a.spec, cluster.spec));
  restartAll(txn, cluster, new ClusterHosts(txn, clusterName), ordered);
}

/** With HA turned off, VMs waiting for a restart stay off; VMs booting simply finish. */
function cancelRestarts(txn: Txn, clusterName: string): void {
  for (const vm of txn.relatedObjects<VmRecord>("haRestartsInCluster", clusterName)) {
    const cancelled =
      vm.status.haRestart!.state === "restarting"
        ? undefined
        : { reason: "HaRestartCancelled", message: `HA was turned off in cluster ${clusterName}: the VM stays powered off` };
    setVmRestart(txn, vm, null, cancelled);
  }
}

/** After a change that may free capacity or change HA settings: retry pending restarts, or drop them when HA is off. */
export function reconcileHaRestarts(txn: Txn, clusterName: string): void {
  const cluster = txn.get<ClusterRecord>("Cluster", clusterName);
  if (!cluster) return;
  if (cluster.spec.ha.enabled) retryPendingRestarts(txn, clusterName);
  else cancelRestarts(txn, clusterName);
}

/** Schedules a wave at `at` (default now, later in the same advance), once however many ask. */
export function requestRestartWave(txn: Txn, cluster: string, at = txn.clockSeconds): void {
  if (txn.pendingTimers.some((t) => t.task === RESTART_WAVE && t.name === cluster && t.at === at)) return;
  schedule(txn, at, RESTART_WAVE, { kind: "Cluster", name: cluster });
}

export const restartWaveTimer: TimerTaskHandler = { run: (txn, timer) => runRestartWave(txn, timer.name) };
