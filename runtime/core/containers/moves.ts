/**
 * A running container whose pin names another host moves there live, by checkpoint/restore (or a
 * zone by detach/attach), between hosts of the same container technology only. The private area is
 * copied unless both hosts mount a common datastore. The runtime applies the move at once and
 * records the model's phases, duration and downtime (migration/container-move.ts) in
 * `status.lastMigration` and the event.
 */
import type { ContainerStatus } from "../../../schema/container";
import { chargeFootprint } from "../accounting";
import { refuse } from "../errors";
import { type ContainerTechnology, CONTAINER_MOVE_DEFAULTS, moveObstacle, planContainerMove } from "../migration/container-move";
import type { ContainerRecord, HostRecord } from "../model";
import type { Txn } from "../txn";
import { migrationSettings } from "../vm-moves";
import { type ContainerRequest, judgeHost } from "./placement";
import { containerFootprint } from "./resources";

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Moves the running container `req` (its status `status`, on `from`) to `target`; returns its new status. */
export function moveContainer(txn: Txn, req: ContainerRequest, status: ContainerStatus, from: HostRecord, target: HostRecord): ContainerStatus {
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
  const lastMigration = {
    fromHost: from.name,
    toHost: target.name,
    kind: plan.kind,
    totalSeconds: round(plan.totalSeconds, 3),
    downtimeMs: round(plan.downtimeMs, 1),
    transferredMb: round(plan.transferredMb, 1),
    completedAtSeconds: txn.clockSeconds,
  };
  const phases = plan.phases.filter((p) => p.seconds > 0).map((p) => `${p.name} ${round(p.seconds, 3)} s`).join(", ");
  const how = plan.kind === "checkpointRestore" ? "checkpoint/restore" : "detach/attach";
  txn.emit("Container", req.name, "Migrated", `moved from ${from.name} to ${target.name} by ${how}: ${phases}; ${lastMigration.transferredMb} MB sent, ${lastMigration.totalSeconds} s, downtime ${lastMigration.downtimeMs} ms`);
  return { ...status, currentHost: target.name, brand: verdict.brand, migrations: status.migrations + 1, lastMigration };
}

/** The container's current record released from its host (before a change charges it again). */
export function releaseContainer(txn: Txn, c: ContainerRecord): void {
  if (c.status.currentHost !== null) chargeFootprint(txn, containerFootprint(c.spec, c.status.currentHost, c.status.cluster), -1);
}
