/**
 * A container's move in flight (`status.migration`), written in one place: a move starts when none is
 * in flight and ends (landed or abandoned) when one is; the move is checked, written and its event
 * emitted (as vms/vm-migration-state.ts does for VMs).
 */
import type { ContainerMigrationInFlight, ContainerStatus } from "../../../schema/container";
import type { ContainerRecord } from "../kernel/model";
import { type TransitionEvent, type Transitions, checkTransition, writeTransition } from "../kernel/transitions";
import type { Txn } from "../kernel/txn";

const TRANSITIONS: Transitions<"none" | "inFlight"> = { none: ["inFlight"], inFlight: ["none"] };

/** The container's next move state, checked (for a status the caller puts itself). */
export function nextContainerMove(
  container: string,
  from: ContainerMigrationInFlight | null,
  to: ContainerMigrationInFlight | null,
): ContainerMigrationInFlight | null {
  checkTransition(`Container ${container}`, "move", TRANSITIONS, from ? "inFlight" : "none", to ? "inFlight" : "none");
  return to;
}

/** Writes `to` (null: landed or abandoned) over `status` (default: the stored one) and emits `event`; returns the version put. */
export function setContainerMove(
  txn: Txn,
  c: ContainerRecord,
  to: ContainerMigrationInFlight | null,
  event?: TransitionEvent,
  status: ContainerStatus = c.status,
): ContainerRecord {
  return writeTransition(txn, c, "migration", nextContainerMove(c.name, c.status.migration, to), event, status);
}
