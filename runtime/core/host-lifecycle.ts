/**
 * Host failures, injected: a crash (the host and its VMs stop at once; HA declares the failure after
 * missing heartbeats and restarts the VMs elsewhere) or a network isolation (the host keeps running;
 * it declares itself isolated and applies the cluster's isolation response: leave the VMs running,
 * power them off, or shut them down, after which HA restarts them elsewhere). Either way migrations
 * from or to the host are abandoned at once, container moves too: a VM or container leaving it stays
 * (or goes down with it), one arriving stays on its source. Recovery brings the host back; VMs waiting for capacity may then
 * restart, and DRS runs a pass at once so that the returned host takes its share of the load (vCenter
 * invokes DRS when a host joins; waiting for the periodic pass could leave it idle for up to
 * drs.intervalSeconds).
 * Each step is an event on the simulated clock, so the log reads like the incident it models.
 */
import { chargeFootprint } from "./allocation/accounting";
import { setHostState } from "./hosts/host-state";
import { restartContainers, takeDownContainers } from "./ha/container-restarts";
import { abortContainerMovesVia } from "./containers/container-moves";
import { runDrsPass } from "./drs/pass";
import { refuse } from "./kernel/errors";
import { type ClusterRecord, type HostRecord, type Timer, type VmRecord, compareNames } from "./kernel/model";
import {
  FAILURE_DECLARED_TASK as FAILURE_DECLARED,
  ISOLATION_DECLARED_TASK as ISOLATION_DECLARED,
  ISOLATION_RESPONSE_TASK as ISOLATION_RESPONSE,
  SHUTDOWN_DONE_TASK as SHUTDOWN_DONE,
  schedule,
} from "./kernel/timers";
import type { Txn } from "./kernel/txn";
import { abortMigration } from "./vms/vm-moves";
import { currentFootprint } from "./guests/vm-footprint";
import { stoppedStatus } from "./vms/vm-status";
import { clusterFigures } from "./ha/cluster-figures";
import { restartPriority } from "./ha/priority";
import { reconcileHaRestarts, requestRestartWave, retryPendingRestarts, runRestartWave } from "./ha/restarts";
import {
  FAILURE_DETECTION_SECONDS,
  GUEST_SHUTDOWN_SECONDS,
  ISOLATION_DECLARED_AFTER_SECONDS,
  ISOLATION_RESPONSE_DELAY_SECONDS,
} from "./ha/timing";
import { setVmRestart } from "./ha/restart-state";

export type FailureMode = "crash" | "isolation";

function clusterOf(txn: Txn, host: HostRecord): ClusterRecord | undefined {
  return host.spec.cluster === undefined ? undefined : txn.get<ClusterRecord>("Cluster", host.spec.cluster);
}

/** What HA will do for a VM that went down on `host`, in words for its event. */
function fate(vm: VmRecord, host: HostRecord, cluster: ClusterRecord | undefined, when: string): { protectedVm: boolean; text: string } {
  if (!cluster) return { protectedVm: false, text: `host ${host.name} is standalone: nothing restarts it` };
  if (!cluster.spec.ha.enabled) return { protectedVm: false, text: `HA is off in cluster ${cluster.name}: it stays off` };
  const priority = restartPriority(vm.spec, cluster.spec);
  if (priority === "disabled") return { protectedVm: false, text: "restart priority disabled: HA leaves it off" };
  return { protectedVm: true, text: `HA restarts it (priority ${priority}) ${when}` };
}

/**
 * Stops a VM that was running on `host`; a protected one joins HA's restart queue, eligible from
 * `eligibleAt`. Returns whether HA will restart it.
 */
function takeDown(
  txn: Txn,
  vm: VmRecord,
  host: HostRecord,
  cluster: ClusterRecord | undefined,
  eligibleAt: number,
  event: { reason: string; cause: string; when: string },
): boolean {
  const f = currentFootprint(vm);
  if (f) chargeFootprint(txn, f, -1);
  const { protectedVm, text } = fate(vm, host, cluster, event.when);
  const haRestart = protectedVm
    ? {
        state: "awaitingRestart" as const,
        fromHost: host.name,
        downSinceSeconds: txn.clockSeconds,
        eligibleAtSeconds: eligibleAt,
        readyAtSeconds: null,
        pendingReason: null,
      }
    : null;
  setVmRestart(txn, vm, haRestart, { reason: event.reason, message: `${event.cause}; ${text}` }, stoppedStatus(vm.status));
  return protectedVm;
}

/** The primary (master) host of a cluster: the first connected host by name (FDM elects one; the model picks deterministically). */
function primaryHost(txn: Txn, cluster: string): string | undefined {
  return txn.relatedObjects<HostRecord>("hostsInCluster", cluster).find((h) => h.status.state === "connected")?.name;
}

/** Abandons every migration from or to the host: its memory or disks can no longer cross the network. */
function abortMigrationsVia(txn: Txn, host: string, cause: string): void {
  const moving = new Set([...txn.related("vmsMigratingFrom", host), ...txn.related("vmsMigratingTo", host)]);
  for (const vm of [...moving].sort(compareNames)) abortMigration(txn, vm, cause);
  abortContainerMovesVia(txn, host, cause);
}

function crash(txn: Txn, host: HostRecord, cluster: ClusterRecord | undefined): void {
  const vms = txn.relatedObjects<VmRecord>("vmsOnHost", host.name);
  const declaredAt = txn.clockSeconds + FAILURE_DETECTION_SECONDS;
  setHostState(txn, host, "failed");
  const cause = {
    reason: "Crashed",
    cause: `went down with host ${host.name} (crash)`,
    when: `once the failure is declared (${FAILURE_DETECTION_SECONDS} s)`,
  };
  const protectedCount = vms.filter((vm) => takeDown(txn, vm, host, cluster, declaredAt, cause)).length;
  const containers = txn.related("containersOnHost", host.name).length;
  const containersProtected = takeDownContainers(txn, host, cluster);
  const ha = cluster?.spec.ha.enabled === true;
  const next = !ha
    ? cluster
      ? `HA is off in cluster ${cluster.name}, so nothing restarts them`
      : "the host is standalone, so nothing restarts them"
    : `HA declares it failed after ${FAILURE_DETECTION_SECONDS} s without heartbeats and restarts ${protectedCount} of them` +
      (protectedCount < vms.length ? ` (${vms.length - protectedCount} with restart priority disabled)` : "");
  const alsoContainers =
    containers > 0 ? `; ${containers} container(s) too, ${ha ? containersProtected : 0} of them for HA to restart` : "";
  txn.emit("Host", host.name, "HostFailed", `crashed: ${vms.length} running VM(s) went down with it; ${next}${alsoContainers}`);
  if (ha) schedule(txn, declaredAt, FAILURE_DECLARED, { kind: "Host", name: host.name }, { vms: protectedCount });
}

function isolate(txn: Txn, host: HostRecord, cluster: ClusterRecord | undefined): void {
  const primary = cluster ? primaryHost(txn, cluster.name) === host.name : false;
  const running = txn.related("vmsOnHost", host.name).length;
  setHostState(txn, host, "isolated");
  if (!cluster?.spec.ha.enabled) {
    txn.emit(
      "Host",
      host.name,
      "HostIsolated",
      `lost its network; ${running} VM(s) keep running on it; ${cluster ? `HA is off in cluster ${cluster.name}` : "the host is standalone"}, so no isolation response applies`,
    );
    return;
  }
  const after = primary ? ISOLATION_DECLARED_AFTER_SECONDS.primary : ISOLATION_DECLARED_AFTER_SECONDS.secondary;
  txn.emit(
    "Host",
    host.name,
    "HostIsolated",
    `lost its network; ${running} VM(s) keep running on it; as the ${primary ? "primary" : "secondary"} host it declares itself isolated after ${after} s ` +
      `and applies the isolation response (${cluster.spec.ha.isolationResponse}) ${ISOLATION_RESPONSE_DELAY_SECONDS} s later`,
  );
  schedule(txn, txn.clockSeconds + after, ISOLATION_DECLARED, { kind: "Host", name: host.name });
}

export function failHost(txn: Txn, name: string, mode: FailureMode): void {
  const host = txn.get<HostRecord>("Host", name);
  if (!host) refuse("NotFound", { kind: "Host", name }, `no Host named ${name} exists`);
  if (host.status.state === "failed" || host.status.state === "isolated" || host.status.state === "standby") {
    refuse(
      "Conflict",
      { kind: "Host", name, field: "state" },
      `the host is ${host.status.state}; only a connected host or one in maintenance can fail (recover it first)`,
    );
  }
  abortMigrationsVia(txn, name, mode === "crash" ? `host ${name} crashed` : `host ${name} lost its network`);
  const current = txn.get<HostRecord>("Host", name)!; // the aborts gave back what incoming VMs held
  if (mode === "crash") crash(txn, current, clusterOf(txn, current));
  else isolate(txn, current, clusterOf(txn, current));
}

export function recoverHost(txn: Txn, name: string): void {
  const host = txn.get<HostRecord>("Host", name);
  if (!host) refuse("NotFound", { kind: "Host", name }, `no Host named ${name} exists`);
  const was = host.status.state;
  if (was !== "failed" && was !== "isolated")
    refuse("Conflict", { kind: "Host", name, field: "state" }, `the host is ${was}; only a failed or isolated host can recover`);
  const undeclared = txn.pendingTimers.some((t) => t.task === FAILURE_DECLARED && t.name === name);
  txn.cancelTimers(
    (t) => t.name === name && (t.task === FAILURE_DECLARED || t.task === ISOLATION_DECLARED || t.task === ISOLATION_RESPONSE),
  );
  // A host asked into maintenance resumes it: an isolated one still runs its VMs, which must leave first (settle.ts).
  setHostState(txn, host, host.spec.maintenance ? "enteringMaintenance" : "connected");
  txn.markUnsettled(name);
  const cluster = host.spec.cluster;
  if (was === "isolated") {
    txn.emit("Host", name, "HostRecovered", `network restored; ${txn.related("vmsOnHost", name).length} VM(s) still run on it`);
  } else {
    txn.emit(
      "Host",
      name,
      "HostRecovered",
      `back after the crash and empty: its VMs ${undeclared ? "restart now (HA had not declared the failure yet)" : "were restarted elsewhere or wait for capacity"}`,
    );
  }
  if (cluster === undefined) return;
  if (undeclared) {
    // The VMs went down with the host all the same: HA restarts them now instead of at the declaration.
    for (const vm of txn.relatedObjects<VmRecord>("haRestartsInCluster", cluster)) {
      const r = vm.status.haRestart!;
      if (r.fromHost === name && r.state === "awaitingRestart" && r.eligibleAtSeconds > txn.clockSeconds) {
        setVmRestart(txn, vm, { ...r, eligibleAtSeconds: txn.clockSeconds });
      }
    }
    runRestartWave(txn, cluster);
  }
  reconcileHaRestarts(txn, cluster);
  restartContainers(txn, cluster);
  if (txn.get<ClusterRecord>("Cluster", cluster)?.spec.drs.enabled) runDrsPass(txn, cluster);
}

/** "now tolerates 0 host failures (configured 1)" or the percentages, for the current policy. */
function capacityNow(txn: Txn, cluster: ClusterRecord): string {
  const { figures } = clusterFigures(txn, cluster);
  if (figures.policy === "resourcePercentage") {
    return `the cluster now has ${figures.cpuFailoverPercent}% CPU and ${figures.memoryFailoverPercent}% memory free (the policy keeps ${figures.configuredCpuFailoverPercent}% and ${figures.configuredMemoryFailoverPercent}%)`;
  }
  return `the cluster now tolerates ${figures.currentFailoverCapacity} host failure(s) (configured ${figures.hostFailuresToTolerate})`;
}

/** HA declares the host failed: its VMs and containers restart elsewhere. */
export function declareFailure(txn: Txn, timer: Timer): void {
  const host = txn.get<HostRecord>("Host", timer.name);
  const cluster = host && clusterOf(txn, host);
  if (!host || !cluster || host.status.state !== "failed") return;
  const { vms } = timer.data as { vms: number };
  txn.emit(
    "Cluster",
    cluster.name,
    "HaFailoverStarted",
    `HA declared host ${host.name} failed after ${FAILURE_DETECTION_SECONDS} s without network or datastore heartbeats; ${vms} VM(s) went down with it for HA to restart, highest priority first; ${capacityNow(txn, cluster)}`,
  );
  // Hosts declared at the same second share one wave, so their VMs restart by priority together.
  requestRestartWave(txn, cluster.name);
  restartContainers(txn, cluster.name);
}

export function declareIsolation(txn: Txn, timer: Timer): void {
  const host = txn.get<HostRecord>("Host", timer.name);
  const cluster = host && clusterOf(txn, host);
  if (!host || !cluster || host.status.state !== "isolated") return;
  txn.emit(
    "Host",
    host.name,
    "HaIsolationDeclared",
    `no heartbeats from other hosts and no answer from the isolation address: the host declared itself isolated; isolation response (${cluster.spec.ha.isolationResponse}) in ${ISOLATION_RESPONSE_DELAY_SECONDS} s`,
  );
  schedule(txn, txn.clockSeconds + ISOLATION_RESPONSE_DELAY_SECONDS, ISOLATION_RESPONSE, { kind: "Host", name: host.name });
}

/** Powers off the VMs still running on an isolated host and lets HA restart them at once. */
function powerOffIsolated(txn: Txn, host: HostRecord, cluster: ClusterRecord, vms: VmRecord[], how: string): void {
  const cause = { reason: "PoweredOff", cause: `${how} by the isolation response of host ${host.name}`, when: "on another host" };
  for (const vm of vms) takeDown(txn, vm, host, cluster, txn.clockSeconds, cause);
  runRestartWave(txn, cluster.name);
  // A shutdown may end after the host is back: the room it frees there can take pending VMs.
  if (host.status.state !== "isolated") retryPendingRestarts(txn, cluster.name);
}

export function respondToIsolation(txn: Txn, timer: Timer): void {
  const host = txn.get<HostRecord>("Host", timer.name);
  const cluster = host && clusterOf(txn, host);
  if (!host || !cluster || host.status.state !== "isolated") return;
  const vms = txn.relatedObjects<VmRecord>("vmsOnHost", host.name);
  const response = cluster.spec.ha.isolationResponse;
  if (response === "none") {
    txn.emit(
      "Host",
      host.name,
      "HaIsolationResponse",
      `isolation response none: ${vms.length} VM(s) keep running on the isolated host and HA restarts none of them`,
    );
  } else if (response === "powerOff") {
    txn.emit(
      "Host",
      host.name,
      "HaIsolationResponse",
      `isolation response powerOff: powering off ${vms.length} VM(s) so that HA can restart them on hosts that still reach the network`,
    );
    powerOffIsolated(txn, host, cluster, vms, "powered off");
  } else {
    txn.emit(
      "Host",
      host.name,
      "HaIsolationResponse",
      `isolation response shutdown: shutting down the guests of ${vms.length} VM(s) (${GUEST_SHUTDOWN_SECONDS} s), then HA restarts them elsewhere`,
    );
    schedule(
      txn,
      txn.clockSeconds + GUEST_SHUTDOWN_SECONDS,
      SHUTDOWN_DONE,
      { kind: "Host", name: host.name },
      { vms: vms.map((vm) => vm.name) },
    );
  }
}

// A guest shutdown runs to its end even if the network returns meanwhile.
export function endIsolationShutdown(txn: Txn, timer: Timer): void {
  const host = txn.get<HostRecord>("Host", timer.name);
  const cluster = host && clusterOf(txn, host);
  if (!host || !cluster) return;
  const names = (timer.data as { vms: string[] }).vms;
  const vms = names
    .map((n) => txn.get<VmRecord>("VirtualMachine", n))
    .filter((vm): vm is VmRecord => vm !== undefined && vm.status.currentHost === host.name);
  powerOffIsolated(txn, host, cluster, vms, "shut down");
}
