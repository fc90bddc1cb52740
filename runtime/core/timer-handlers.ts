/**
 * What each timer task does: the runtime's table of timer handlers, beside the kind handlers
 * (kinds/index.ts). Typed by TimerTask (timers.ts), so a task without a handler does not compile;
 * commands.ts hands the table to the timeline when the clock advances.
 */
import { containerMoveTimer } from "./containers/container-moves";
import { maintenanceRetryTimer } from "./drs/maintenance";
import { drsPassTimer } from "./drs/pass";
import { storageDrsPassTimer } from "./drs/storage-drs";
import { declareFailure, declareIsolation, endIsolationShutdown, respondToIsolation } from "./host-lifecycle";
import { restartWaveTimer } from "./ha/restarts";
import { vmMonitoringCheckTimer } from "./ha/vm-monitoring";
import {
  ALARM_DUE_TASK,
  CONTAINER_MOVE_TASK,
  DRS_PASS_TASK,
  FAILURE_DECLARED_TASK,
  ISOLATION_DECLARED_TASK,
  ISOLATION_RESPONSE_TASK,
  MAINTENANCE_RETRY_TASK,
  RESTART_WAVE_TASK,
  SHUTDOWN_DONE_TASK,
  STORAGE_DRS_PASS_TASK,
  STORAGE_MIGRATION_TASK,
  type Timeline,
  type TimerTask,
  type TimerTaskHandler,
  VM_MIGRATION_TASK,
  VM_MONITORING_CHECK_TASK,
} from "./kernel/timers";
import { settle } from "./settle";
import { storageMigrationTimer } from "./vms/storage-migration";
import { vmMigrationTimer } from "./vms/vm-moves";

const TIMER_HANDLERS: Readonly<Record<TimerTask, TimerTaskHandler>> = {
  [DRS_PASS_TASK]: drsPassTimer,
  [MAINTENANCE_RETRY_TASK]: maintenanceRetryTimer,
  [RESTART_WAVE_TASK]: restartWaveTimer,
  [FAILURE_DECLARED_TASK]: { run: declareFailure },
  [ISOLATION_DECLARED_TASK]: { run: declareIsolation },
  [ISOLATION_RESPONSE_TASK]: { run: respondToIsolation },
  [SHUTDOWN_DONE_TASK]: { run: endIsolationShutdown },
  [CONTAINER_MOVE_TASK]: containerMoveTimer,
  [VM_MIGRATION_TASK]: vmMigrationTimer,
  [VM_MONITORING_CHECK_TASK]: vmMonitoringCheckTimer,
  // The timer only wakes the clock when forSeconds elapses; settling after it evaluates the alarms.
  [ALARM_DUE_TASK]: { run: () => {} },
  [STORAGE_DRS_PASS_TASK]: storageDrsPassTimer,
  [STORAGE_MIGRATION_TASK]: storageMigrationTimer,
};

/** The runtime's timeline: its timer handlers, and settle.ts at the end of each step. */
export const RUNTIME_TIMELINE: Timeline = { handlers: TIMER_HANDLERS, settleStep: settle };
