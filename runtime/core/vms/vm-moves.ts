/**
 * Moving a VM between hosts, and the time it takes. A running VM moves by live migration only:
 * migrateVm starts one (DRS, maintenance evacuation and a changed pin all call it), the target host
 * holds the VM's reservations at once, and a timer completes the switch-over when the pre-copy model
 * says so; until then the VM runs on its source and `status.migration` shows it in flight. Live
 * migration needs shared storage (storage/visibility.ts). A powered-off VM moves by cold migration:
 * only the disks relocated to another datastore are copied.
 */
import type { HostSpec } from "../../../schema/host";
import type { MigrationInFlight, MigrationRecord, VmSpec } from "../../../schema/virtual-machine";
import { chargeFootprint, chargeHost, refreshCluster } from "../allocation/accounting";
import { resolveVirtualization } from "../guests/guest-compatibility";
import { cpuMigrationObstacles } from "../cpu/evc";
import { refuse } from "../kernel/errors";
import { profileOf } from "../hypervisors/profiles";
import { preCopyParamsFor } from "../migration/models";
import { type PreCopyParams, type PreCopyResult, XEN_DEFAULTS, simulatePreCopy } from "../migration/pre-copy";
import { type ClusterRecord, type HostRecord, type VmRecord, compareNames } from "../kernel/model";
import { guestCpuOf } from "../placement/vm-request";
import { diskSizeGb } from "../storage/disks";
import { unmountedDatastores } from "../storage/visibility";
import { VM_MIGRATION_TASK as MIGRATION_TASK, type TimerTaskHandler, schedule } from "../kernel/timers";
import type { Txn } from "../kernel/txn";
import { currentFootprint, footprintOf, guestCost, incomingFootprint } from "../guests/vm-footprint";
import { setVmMigration } from "./vm-migration-state";
import { runningStatus } from "./vm-status";
import { placedVmSpec } from "../storage/placed-disks";
import type { StoredVmStatus } from "../kernel/model";

const STOP_TEXT: Record<MigrationRecord["stopReason"], string> = {
  converged: "fewer pages left than the stop threshold",
  maxIterations: "iteration limit reached",
  sentMaxFactor: "sent the maximum multiple of the VM's memory",
  dirtyRateAtCap: "the dirty set grew at the maximum rate",
  notLive: "powered off: no pre-copy",
};

/** The migration settings of a VM's cluster; Xen's defaults for a standalone host. */
export function migrationSettings(txn: Txn, cluster: string | null): PreCopyParams {
  return (cluster !== null && txn.get<ClusterRecord>("Cluster", cluster)?.spec.migration) || XEN_DEFAULTS;
}

/** The pre-copy parameters of a live migration from a host of `source`'s hypervisor (its profile's model, migration/models.ts). */
export function liveMigrationParams(source: HostSpec, cluster: PreCopyParams): PreCopyParams {
  const model = profileOf(source).liveMigration;
  return model ? preCopyParamsFor(model, cluster) : cluster;
}

/**
 * Predictions per spec and settings object: both are immutable values, and DRS prices every VM that
 * may move on every pass, most of them unchanged since the last one.
 */
const predictions = new WeakMap<VmSpec, { params: PreCopyParams; result: PreCopyResult }>();

/** What pre-copy predicts for this VM: DRS weighs a move's cost with it. */
export function predictLiveMigration(spec: VmSpec, params: PreCopyParams): PreCopyResult {
  const known = predictions.get(spec);
  if (known?.params === params) return known.result;
  const w = spec.workload;
  const workingSet = w?.writableWorkingSetMb ?? w?.activeMemoryMb ?? spec.memoryMb;
  const result = simulatePreCopy(
    { memoryMb: spec.memoryMb, dirtyRateMbps: w?.dirtyRateMbps ?? 0, writableWorkingSetMb: workingSet },
    params,
  );
  predictions.set(spec, { params, result });
  return result;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function expectedRecord(
  fromHost: string,
  toHost: string,
  kind: MigrationRecord["kind"],
  r: Omit<PreCopyResult, "finalMb">,
): MigrationInFlight["expected"] {
  return {
    fromHost,
    toHost,
    kind,
    rounds: r.rounds,
    transferredMb: round(r.transferredMb, 1),
    totalSeconds: round(r.totalSeconds, 3),
    downtimeMs: round(r.downtimeMs, 1),
    stopReason: r.stopReason,
  };
}

function describe(e: MigrationInFlight["expected"]): string {
  if (e.kind === "cold") return `cold migration ${e.fromHost} -> ${e.toHost}: ${e.transferredMb} MB of disks copied in ${e.totalSeconds} s`;
  return `live migration ${e.fromHost} -> ${e.toHost}: ${e.rounds} pre-copy round(s), ${e.transferredMb} MB sent, ${e.totalSeconds} s, downtime ${e.downtimeMs} ms (stopped: ${STOP_TEXT[e.stopReason]})`;
}

/** The VMs running on a host or being migrated onto it, sorted: what a change to the host must still suit. */
export function vmsOnOrMigratingTo(txn: Txn, host: string): string[] {
  return [...txn.related("vmsOnHost", host), ...txn.related("vmsMigratingTo", host)].sort(compareNames);
}

function startTimer(txn: Txn, name: string, m: MigrationInFlight): void {
  schedule(txn, m.completesAtSeconds, MIGRATION_TASK, { kind: "VirtualMachine", name }, { startedAtSeconds: m.startedAtSeconds });
}

/**
 * Starts live-migrating a running VM to `toHost` and records `event` (its reason and message, with
 * the model's prediction appended) on the VM. The caller has checked that the target can take it
 * (placement filters with purpose "migration", storage visibility among them) and that the VM is not
 * already migrating; should a planner miss that, the move is refused with a contract code (Conflict,
 * Incompatible) rather than started twice.
 */
export function migrateVm(txn: Txn, name: string, toHost: string, event: { reason: string; message: string }): VmRecord {
  const vm = txn.get<VmRecord>("VirtualMachine", name);
  const before = vm && currentFootprint(vm);
  const subject = { kind: "VirtualMachine", name, field: "host" };
  if (!vm || !before) refuse("Conflict", subject, `cannot live-migrate to ${toHost}: the VM is not running`);
  if (vm.status.migration)
    refuse(
      "Conflict",
      subject,
      `cannot live-migrate to ${toHost}: already migrating from ${vm.status.migration.fromHost} to ${vm.status.migration.toHost}`,
    );
  const target = txn.get<HostRecord>("Host", toHost);
  if (!target) refuse("NotFound", subject, `cannot live-migrate to ${toHost}: no such host`);
  const verdict = resolveVirtualization(target.spec, vm.spec);
  if (!verdict.ok) refuse("Incompatible", subject, `cannot live-migrate to ${toHost}: ${verdict.obstacles.map((o) => o.text).join("; ")}`);
  const guestCpu = guestCpuOf(txn, vm);
  const cpu = guestCpu ? cpuMigrationObstacles(guestCpu, target.spec) : [];
  if (cpu.length > 0) refuse("Incompatible", subject, `cannot live-migrate to ${toHost}: ${cpu.join("; ")}`);
  const unseen = unmountedDatastores(placedVmSpec(vm), target.spec.datastores);
  if (unseen.length > 0)
    refuse(
      "Incompatible",
      subject,
      `cannot live-migrate to ${toHost}: it does not mount ${unseen.join(", ")} and live migration needs shared storage`,
    );
  const cost = guestCost(vm.spec, verdict.resolution);
  const source = txn.get<HostRecord>("Host", before.host)!;
  const prediction = predictLiveMigration(vm.spec, liveMigrationParams(source.spec, migrationSettings(txn, vm.status.cluster)));
  const now = txn.clockSeconds;
  const migration: MigrationInFlight = {
    kind: "live",
    fromHost: before.host,
    toHost,
    startedAtSeconds: now,
    completesAtSeconds: now + prediction.totalSeconds,
    expected: expectedRecord(before.host, toHost, "live", prediction),
    targetOverheadMemoryMb: cost.overheadMemoryMb,
    targetOverheadCpuPercent: cost.overheadCpuPercent,
  };
  const moving = setVmMigration(txn, vm, migration, {
    reason: event.reason,
    message: `${event.message}; ${describe(migration.expected)} expected`,
  });
  chargeHost(txn, incomingFootprint(moving)!, 1);
  startTimer(txn, name, migration);
  return moving;
}

/**
 * Records a powered-off VM's move from `fromHost` to `toHost`: the `relocated` disks (indexes) are
 * copied to their new datastores over the migration link, which takes simulated time; with the disks
 * left on shared storage it is immediate.
 */
export function coldMigrateVm(txn: Txn, name: string, fromHost: string, toHost: string, relocated: readonly number[]): VmRecord {
  const vm = txn.get<VmRecord>("VirtualMachine", name)!;
  const disks = { spec: vm.spec, importedDisks: vm.status.importedDisks };
  const copyMb = relocated.reduce((sum, i) => sum + diskSizeGb(disks, i) * 1024, 0);
  const totalSeconds = (copyMb * 8) / migrationSettings(txn, vm.status.cluster).bandwidthMbps;
  const expected = expectedRecord(fromHost, toHost, "cold", {
    rounds: 0,
    transferredMb: copyMb,
    totalSeconds,
    downtimeMs: 0,
    stopReason: "notLive",
  });
  const now = txn.clockSeconds;
  const migration: MigrationInFlight = {
    kind: "cold",
    fromHost,
    toHost,
    startedAtSeconds: now,
    completesAtSeconds: now + totalSeconds,
    expected,
    targetOverheadMemoryMb: 0,
    targetOverheadCpuPercent: 0,
  };
  if (totalSeconds === 0) return finish(txn, setVmMigration(txn, vm, migration), migration);
  const moving = setVmMigration(txn, vm, migration, { reason: "MigrationStarted", message: `${describe(expected)} expected` });
  startTimer(txn, name, migration);
  return moving;
}

/** Completes a migration: the switch-over of a live one moves the VM's footprint and status to the target. */
function finish(txn: Txn, vm: VmRecord, m: MigrationInFlight): VmRecord {
  let status: StoredVmStatus = {
    ...vm.status,
    migrations: vm.status.migrations + 1,
    lastMigration: { ...m.expected, completedAtSeconds: txn.clockSeconds },
  };
  if (m.kind === "live") {
    const target = txn.get<HostRecord>("Host", m.toHost)!;
    const verdict = resolveVirtualization(target.spec, vm.spec);
    if (!verdict.ok)
      return abortMigration(txn, vm.name, `${m.toHost} can no longer run the VM: ${verdict.obstacles.map((o) => o.text).join("; ")}`);
    chargeHost(txn, incomingFootprint(vm)!, -1);
    chargeFootprint(txn, currentFootprint(vm)!, -1);
    const cost = { overheadMemoryMb: m.targetOverheadMemoryMb, overheadCpuPercent: m.targetOverheadCpuPercent };
    const f = footprintOf(vm.spec, m.toHost, vm.status.cluster, cost);
    chargeFootprint(txn, f, 1);
    // The entitlement the last DRS pass divided does not depend on the host; the next pass recounts its overhead here.
    const entitled = { cpuEntitlementMhz: vm.status.cpuEntitlementMhz, memoryEntitlementMb: vm.status.memoryEntitlementMb };
    status = { ...runningStatus(status, vm.spec, f, verdict.resolution, verdict.reason, cost, vm.status.cpuDemandMhz), ...entitled };
  }
  const done = setVmMigration(
    txn,
    vm,
    null,
    { reason: "Migrated", message: `moved from ${m.fromHost} to ${m.toHost}: ${describe(m.expected)}` },
    status,
  );
  if (vm.status.cluster !== null) refreshCluster(txn, vm.status.cluster);
  return done;
}

/**
 * Abandons a migration in flight (its target failed or left, or the VM is deleted): the VM stays
 * where it was and the target gives back what it held.
 */
export function abortMigration(txn: Txn, name: string, reason: string): VmRecord {
  const vm = txn.get<VmRecord>("VirtualMachine", name)!;
  const m = vm.status.migration;
  if (!m) return vm;
  const incoming = incomingFootprint(vm);
  if (incoming) chargeHost(txn, incoming, -1);
  // The source keeps the VM: a host evacuating for maintenance or standby must know (host-evacuation.ts).
  txn.markUnsettled(m.fromHost);
  txn.cancelTimers((t) => t.task === MIGRATION_TASK && t.name === name);
  return setVmMigration(txn, vm, null, {
    reason: "MigrationAborted",
    message: `${m.kind} migration ${m.fromHost} -> ${m.toHost} abandoned: ${reason}`,
  });
}

/** The migration this timer completes, unless it was aborted or replaced since (the timer is then stale). */
function migrationOf(txn: Txn, timer: { name: string; data?: unknown }): { vm: VmRecord; m: MigrationInFlight } | undefined {
  const vm = txn.get<VmRecord>("VirtualMachine", timer.name);
  const m = vm?.status.migration;
  if (!vm || !m || m.startedAtSeconds !== (timer.data as { startedAtSeconds: number }).startedAtSeconds) return undefined;
  return { vm, m };
}

export const vmMigrationTimer: TimerTaskHandler = {
  run: (txn, timer) => {
    const found = migrationOf(txn, timer);
    if (found) finish(txn, found.vm, found.m);
  },
  // A landing that failed would leave the VM in flight for good: it stays on its source instead.
  recover: (txn, timer) => {
    if (migrationOf(txn, timer)) abortMigration(txn, timer.name, "the switch-over failed (see the StepFailed event)");
  },
};
