/**
 * Timer tasks: the names of the work the runtime sets for later, stored with each timer in the world
 * (and so in the store), and how to set one. What each task does is declared in timer-handlers.ts;
 * this module registers no behaviour, so the store and every module that sets timers may import it.
 */
import type { Kind, Timer } from "./records";
import type { Txn } from "./txn";

/** A cluster's periodic DRS pass (drs/pass.ts). */
export const DRS_PASS_TASK = "drs.pass";
/** Another try at evacuating a host entering maintenance (drs/maintenance.ts). */
export const MAINTENANCE_RETRY_TASK = "host.maintenance.evacuate";
/** A wave of HA restarts in a cluster (ha/restarts.ts). */
export const RESTART_WAVE_TASK = "ha.restartWave";
/** HA declares a host failed, then isolated, responds to the isolation, ends a guest shutdown (host-lifecycle.ts). */
export const FAILURE_DECLARED_TASK = "ha.failureDeclared";
export const ISOLATION_DECLARED_TASK = "ha.isolationDeclared";
export const ISOLATION_RESPONSE_TASK = "ha.isolationResponse";
export const SHUTDOWN_DONE_TASK = "ha.isolationShutdownDone";
/** A container move lands (containers/container-moves.ts). */
export const CONTAINER_MOVE_TASK = "container.move.complete";
/** A VM migration lands (vm-moves.ts). */
export const VM_MIGRATION_TASK = "vm.migration.complete";
/** VM Monitoring checks a guest whose heartbeats stopped (ha/vm-monitoring.ts). */
export const VM_MONITORING_CHECK_TASK = "ha.vmMonitoring.check";
/** A datastore cluster's periodic Storage DRS pass (drs/storage-drs.ts). */
export const STORAGE_DRS_PASS_TASK = "storageDrs.pass";
/** A storage migration of a VM's disks lands (vms/storage-migration.ts). */
export const STORAGE_MIGRATION_TASK = "vm.storageMigration.complete";
/** An alarm's condition has held for its forSeconds (alarms/evaluate.ts). */
export const ALARM_DUE_TASK = "alarm.due";

export type TimerTask =
  | typeof DRS_PASS_TASK
  | typeof MAINTENANCE_RETRY_TASK
  | typeof RESTART_WAVE_TASK
  | typeof FAILURE_DECLARED_TASK
  | typeof ISOLATION_DECLARED_TASK
  | typeof ISOLATION_RESPONSE_TASK
  | typeof SHUTDOWN_DONE_TASK
  | typeof CONTAINER_MOVE_TASK
  | typeof VM_MIGRATION_TASK
  | typeof VM_MONITORING_CHECK_TASK
  | typeof ALARM_DUE_TASK
  | typeof STORAGE_DRS_PASS_TASK
  | typeof STORAGE_MIGRATION_TASK;

export type TimerHandler = (txn: Txn, timer: Timer) => void;

/** What a timer task does when due, and what to do after that step failed. */
export interface TimerTaskHandler {
  run: TimerHandler;
  recover?: TimerHandler;
}

/** Handlers by task name: timeline.ts fires timers through such a table. */
export type TimerHandlers = { readonly [task: string]: TimerTaskHandler | undefined };

/** What the timeline is given from above: a handler per task, and what ends each step that completed. */
export interface Timeline {
  readonly handlers: TimerHandlers;
  readonly settleStep: (txn: Txn) => void;
}

/** Sets a timer for `task` on the target object, due at `at` (timeline.ts fires it). */
export function schedule(txn: Txn, at: number, task: TimerTask, target: { kind: Kind; name: string }, data?: unknown): void {
  txn.addTimer({ at, task, kind: target.kind, name: target.name, ...(data === undefined ? {} : { data }) });
}
