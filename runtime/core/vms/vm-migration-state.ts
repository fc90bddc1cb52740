/**
 * A VM's migration in flight (`status.migration`), written in one place: a migration starts when the
 * VM has none in flight and ends (landed or abandoned) when it has one; the move is checked, written
 * and its event emitted (as ha/restart-state.ts does for HA restarts, after Proxmox's ha-manager).
 */
import type { MigrationInFlight } from "../../../schema/virtual-machine";
import type { VmRecord } from "../kernel/model";
import { type TransitionEvent, type Transitions, checkTransition, writeTransition } from "../kernel/transitions";
import type { Txn } from "../kernel/txn";
import type { StoredVmStatus } from "../kernel/model";

const TRANSITIONS: Transitions<"none" | "inFlight"> = { none: ["inFlight"], inFlight: ["none"] };

/** Writes `to` (null: landed or abandoned) over `status` (default: the stored one) and emits `event`; returns the version put. */
export function setVmMigration(
  txn: Txn,
  vm: VmRecord,
  to: MigrationInFlight | null,
  event?: TransitionEvent,
  status: StoredVmStatus = vm.status,
): VmRecord {
  checkTransition(
    `VirtualMachine ${vm.name}`,
    "migration",
    TRANSITIONS,
    vm.status.migration ? "inFlight" : "none",
    to ? "inFlight" : "none",
  );
  return writeTransition(txn, vm, "migration", to, event, status);
}
