/**
 * A host's state (`status.state`), written in one place: setHostState checks the move against the
 * table, writes it, refreshes the cluster (whether the host's capacity counts follows its state) and
 * emits the event the caller names, as ha/restart-state.ts does for HA restarts.
 *
 *   connected -> entering/in maintenance, enteringStandby, failed, isolated
 *   enteringMaintenance -> maintenance (its last guest left), connected (called off), failed, isolated
 *   maintenance -> connected, failed, isolated
 *   enteringStandby -> standby (its last VM left), connected (a migration away was abandoned), failed, isolated
 *   standby -> connected (DPM or HA woke it)
 *   failed | isolated -> connected, enteringMaintenance (recovered; maintenance still asked for)
 * A new host starts connected or in maintenance; a write may keep the state it has.
 */
import type { HostState } from "../../../schema/host";
import { refreshCluster } from "../allocation/accounting";
import type { HostRecord } from "../kernel/model";
import { type TransitionEvent, type Transitions, checkTransition } from "../kernel/transitions";
import type { Txn } from "../kernel/txn";

const TRANSITIONS: Transitions<HostState | "new"> = {
  new: ["connected", "maintenance"],
  connected: ["connected", "enteringMaintenance", "maintenance", "enteringStandby", "failed", "isolated"],
  enteringMaintenance: ["enteringMaintenance", "maintenance", "connected", "failed", "isolated"],
  maintenance: ["maintenance", "connected", "failed", "isolated"],
  enteringStandby: ["enteringStandby", "standby", "connected", "failed", "isolated"],
  standby: ["standby", "connected"],
  failed: ["failed", "connected", "enteringMaintenance"],
  isolated: ["isolated", "connected", "enteringMaintenance"],
};

/** The host's next state, checked (for a new host's or a changed host's status, put by its kind handler). */
export function nextHostState(host: string, from: HostState | undefined, to: HostState): HostState {
  checkTransition(`Host ${host}`, "state", TRANSITIONS, from ?? "new", to);
  return to;
}

/** Puts the host in `state` and emits `event`; its cluster is refreshed, since whether its capacity counts follows. */
export function setHostState(txn: Txn, host: HostRecord, state: HostState, event?: TransitionEvent): void {
  txn.put<HostRecord>({ ...host, status: { ...host.status, state: nextHostState(host.name, host.status.state, state) } });
  if (host.spec.cluster !== undefined) refreshCluster(txn, host.spec.cluster);
  if (event) txn.emit("Host", host.name, event.reason, event.message);
}
