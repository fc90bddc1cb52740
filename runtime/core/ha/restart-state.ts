/**
 * The HA restart state machines of VMs (`status.haRestart`) and containers, each written in one
 * place: setVmRestart and setContainerRestart check the transition against their table, write it
 * and emit the event the caller names, so no other module spreads a new restart state into a
 * status. Proxmox's ha-manager does the same for its services: every service state change goes
 * through one function, `$change_service_state` in src/PVE/HA/Manager.pm, which refuses an invalid
 * state and logs the change.
 *
 * A VM's states (none: HA owes it nothing):
 *   none | restarting -> awaitingRestart    its host crashed, or an isolation response powered it off
 *   awaitingRestart -> awaitingRestart      eligible sooner: its host recovered before HA declared the failure
 *   awaitingRestart | pendingRestart -> pendingRestart   no host can take it now (or for another reason)
 *   awaitingRestart | pendingRestart -> restarting       powered on again on a surviving host
 *   any -> none     its guest is up, HA was turned off, the user powered it on or off, it went down unprotected
 * A container's: none -> down (its host crashed), down -> down (no host now, pendingReason says why),
 * and any -> none (restarted, started or stopped by the user, or it went down unprotected).
 */
import type { ContainerStatus } from "../../../schema/container";
import type { HaRestart } from "../../../schema/virtual-machine";
import type { ContainerRecord, VmRecord } from "../kernel/model";
import { type TransitionEvent, type Transitions, checkTransition, writeTransition } from "../kernel/transitions";
import type { Txn } from "../kernel/txn";
import type { StoredVmStatus } from "../kernel/model";

type VmRestartState = HaRestart["state"] | "none";

const VM_TRANSITIONS: Transitions<VmRestartState> = {
  none: ["none", "awaitingRestart"],
  awaitingRestart: ["awaitingRestart", "pendingRestart", "restarting", "none"],
  pendingRestart: ["pendingRestart", "restarting", "none"],
  restarting: ["awaitingRestart", "none"],
};

type ContainerRestart = ContainerStatus["haRestart"];
type ContainerRestartState = "none" | "down";

const CONTAINER_TRANSITIONS: Transitions<ContainerRestartState> = {
  none: ["none", "down"],
  down: ["down", "none"],
};

/** The VM's next restart state, checked against the table (for a status the caller puts itself). */
export function nextVmRestart(vm: string, from: HaRestart | null, to: HaRestart | null): HaRestart | null {
  checkTransition(`VirtualMachine ${vm}`, "HA restart state", VM_TRANSITIONS, from?.state ?? "none", to?.state ?? "none");
  return to;
}

/**
 * Writes the VM's restart state `to` (null: HA owes it nothing) over `status` (default: its stored
 * one) and emits `event`; returns the version put.
 */
export function setVmRestart(
  txn: Txn,
  vm: VmRecord,
  to: HaRestart | null,
  event?: TransitionEvent,
  status: StoredVmStatus = vm.status,
): VmRecord {
  return writeTransition(txn, vm, "haRestart", nextVmRestart(vm.name, vm.status.haRestart, to), event, status);
}

/** The container's next restart state, checked against the table (for a status the caller puts itself). */
export function nextContainerRestart(container: string, from: ContainerRestart, to: ContainerRestart): ContainerRestart {
  checkTransition(`Container ${container}`, "HA restart state", CONTAINER_TRANSITIONS, from ? "down" : "none", to ? "down" : "none");
  return to;
}

/** Writes the container's restart state `to` over `status` (default: its stored one) and emits `event`. */
export function setContainerRestart(
  txn: Txn,
  c: ContainerRecord,
  to: ContainerRestart,
  event?: TransitionEvent,
  status: ContainerStatus = c.status,
): ContainerRecord {
  return writeTransition(txn, c, "haRestart", nextContainerRestart(c.name, c.status.haRestart, to), event, status);
}
