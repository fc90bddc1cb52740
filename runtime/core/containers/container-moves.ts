/**
 * A running container whose pin names another host moves there live, by checkpoint/restore (or a
 * zone by detach/attach), between hosts of the same container technology only. The private area is
 * copied unless both hosts mount a common datastore. A move takes the simulated time the model
 * (migration/container-move-model.ts) predicts, like a VM's live migration (vm-moves.ts): the target holds
 * the container's footprint from the start and the source keeps it until the move lands, when a timer
 * switches the container over; meanwhile `status.migration` shows it in flight. A failure of either
 * host abandons the move (host-lifecycle.ts).
 */
import type { ContainerMigrationInFlight, ContainerStatus } from "../../../schema/container";
import { chargeFootprint, refreshCluster } from "../allocation/accounting";
import { refuse } from "../kernel/errors";
import { type ContainerTechnology, CONTAINER_MOVE_DEFAULTS, moveObstacle, planContainerMove } from "../migration/container-move-model";
import { type ContainerRecord, type HostRecord, compareNames } from "../kernel/model";
import { CONTAINER_MOVE_TASK as MOVE_TASK, type TimerTaskHandler, schedule } from "../kernel/timers";
import type { Txn } from "../kernel/txn";
import { migrationSettings } from "../vms/vm-moves";
import { nextContainerMove, setContainerMove } from "./container-move-state";
import { type ContainerRequest, judgeHost } from "./placement";
import { containerFootprint } from "./resources";

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

const HOW = { checkpointRestore: "checkpoint/restore", detachAttach: "detach/attach" } as const;

/**
 * Starts moving the running container `req` (its status `status`, running on `from`, where it stays
 * charged) to `target`, which is charged now; returns its status with the move in flight.
 */
export function moveContainer(
  txn: Txn,
  req: ContainerRequest,
  status: ContainerStatus,
  from: HostRecord,
  target: HostRecord,
): ContainerStatus {
  const at = { kind: "Container" as const, name: req.name, field: "host" };
  const obstacle = moveObstacle(from.spec.hypervisor, target.spec.hypervisor);
  if (obstacle) refuse("Incompatible", at, `cannot move from ${from.name} to ${target.name}: ${obstacle}`);
  const verdict = judgeHost(txn, target, req);
  if (!verdict.ok) refuse(verdict.code, at, `cannot move from ${from.name} to ${target.name}: ${verdict.reason}`);
  const plan = planContainerMove(
    {
      technology: from.spec.hypervisor as ContainerTechnology,
      memoryMb: req.spec.memoryMb,
      diskGb: req.spec.diskGb,
      sharedStorage: from.spec.datastores.some((d) => target.spec.datastores.includes(d)),
    },
    { ...CONTAINER_MOVE_DEFAULTS, bandwidthMbps: migrationSettings(txn, status.cluster).bandwidthMbps },
  );
  chargeFootprint(txn, containerFootprint(req.spec, target.name, status.cluster), 1);
  const now = txn.clockSeconds;
  const completesAtSeconds = now + plan.totalSeconds;
  const migration: ContainerMigrationInFlight = {
    kind: plan.kind,
    fromHost: from.name,
    toHost: target.name,
    startedAtSeconds: now,
    completesAtSeconds,
    // Checkpoint/restore freezes the container only for the phases at the end; a zone is halted from the start.
    downtimeFromSeconds: plan.kind === "checkpointRestore" ? completesAtSeconds - plan.downtimeMs / 1000 : now,
    expected: {
      fromHost: from.name,
      toHost: target.name,
      kind: plan.kind,
      totalSeconds: round(plan.totalSeconds, 3),
      downtimeMs: round(plan.downtimeMs, 1),
      transferredMb: round(plan.transferredMb, 1),
    },
  };
  schedule(txn, completesAtSeconds, MOVE_TASK, { kind: "Container", name: req.name }, { startedAtSeconds: now });
  const phases = plan.phases
    .filter((p) => p.seconds > 0)
    .map((p) => `${p.name} ${round(p.seconds, 3)} s`)
    .join(", ");
  const e = migration.expected;
  const service =
    plan.kind === "checkpointRestore"
      ? `it keeps running on ${from.name} until frozen at t=${round(migration.downtimeFromSeconds, 3)} s for the last ${e.downtimeMs} ms`
      : `the zone is down for the whole move, from now until it boots on ${target.name}`;
  txn.emit(
    "Container",
    req.name,
    "MigrationStarted",
    `moving from ${from.name} to ${target.name} by ${HOW[plan.kind]}: ${phases}; ${e.transferredMb} MB to send, ${e.totalSeconds} s, lands at t=${round(completesAtSeconds, 3)} s; ${service}; ${target.name} holds its ${req.spec.memoryMb} MB from now`,
  );
  return { ...status, brand: verdict.brand, migration: nextContainerMove(req.name, status.migration, migration) };
}

/** The container's current record released from its host (before a change charges it again). */
export function releaseContainer(txn: Txn, c: ContainerRecord): void {
  if (c.status.currentHost !== null) chargeFootprint(txn, containerFootprint(c.spec, c.status.currentHost, c.status.cluster), -1);
}

/** Lands a move: the source gives the container's footprint back and the container runs on the target. */
function land(txn: Txn, c: ContainerRecord, m: ContainerMigrationInFlight): void {
  chargeFootprint(txn, containerFootprint(c.spec, m.fromHost, c.status.cluster), -1);
  const lastMigration = { ...m.expected, completedAtSeconds: txn.clockSeconds };
  setContainerMove(
    txn,
    c,
    null,
    {
      reason: "Migrated",
      message: `moved from ${m.fromHost} to ${m.toHost} by ${HOW[m.kind]}: ${m.expected.transferredMb} MB sent, ${m.expected.totalSeconds} s, downtime ${m.expected.downtimeMs} ms`,
    },
    { ...c.status, currentHost: m.toHost, migrations: c.status.migrations + 1, lastMigration },
  );
  // The source may be evacuating for maintenance (host-evacuation.ts).
  txn.markUnsettled(m.fromHost);
  if (c.status.cluster !== null) refreshCluster(txn, c.status.cluster);
}

/** Abandons a container's move in flight: it stays on its source and the target gives back what it held. */
export function abortContainerMove(txn: Txn, name: string, reason: string): ContainerRecord | undefined {
  const c = txn.get<ContainerRecord>("Container", name);
  const m = c?.status.migration;
  if (!c || !m) return c;
  chargeFootprint(txn, containerFootprint(c.spec, m.toHost, c.status.cluster), -1);
  txn.markUnsettled(m.fromHost);
  txn.cancelTimers((t) => t.task === MOVE_TASK && t.name === name);
  return setContainerMove(txn, c, null, {
    reason: "MigrationAborted",
    message: `${HOW[m.kind]} move ${m.fromHost} -> ${m.toHost} abandoned: ${reason}`,
  });
}

/** Abandons every container move from or to the host. */
export function abortContainerMovesVia(txn: Txn, host: string, cause: string): void {
  const moving = new Set([...txn.related("containersMigratingFrom", host), ...txn.related("containersMigratingTo", host)]);
  for (const name of [...moving].sort(compareNames)) abortContainerMove(txn, name, cause);
}

/** The move this timer lands, unless it was abandoned or replaced since (the timer is then stale). */
function moveOf(txn: Txn, timer: { name: string; data?: unknown }) {
  const c = txn.get<ContainerRecord>("Container", timer.name);
  const m = c?.status.migration;
  return c && m && m.startedAtSeconds === (timer.data as { startedAtSeconds: number }).startedAtSeconds ? { c, m } : undefined;
}

export const containerMoveTimer: TimerTaskHandler = {
  run: (txn, timer) => {
    const found = moveOf(txn, timer);
    if (found) land(txn, found.c, found.m);
  },
  // A landing that failed would leave the container in flight for good: it stays on its source instead.
  recover: (txn, timer) => {
    if (moveOf(txn, timer)) abortContainerMove(txn, timer.name, "the switch-over failed (see the StepFailed event)");
  },
};
