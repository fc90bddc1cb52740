/**
 * Alarms on the simulated clock. At the end of every step (settle.ts) each alarm measures its
 * metric: a condition that starts holding makes the alarm pending, and raised (AlarmRaised) once it
 * has held for `forSeconds` (a timer wakes the alarm then, even if nothing else happens); a
 * condition that stops holding returns it to normal (AlarmCleared if it was raised). An alarm that
 * cannot measure (its target gone, a VM powered off) holds no condition.
 */
import { ALARM_METRICS, type AlarmSpec, type AlarmStatus } from "../../../schema/alarm";
import { clusterHaStatus } from "../ha/cluster-figures";
import type { ClusterRecord, DatastoreRecord, HostRecord, RuntimeObject, VmRecord } from "../kernel/model";
import { ALARM_DUE_TASK, schedule } from "../kernel/timers";
import type { Txn } from "../kernel/txn";
import { vmUsage } from "../vms/vm-usage";

export type AlarmRecord = RuntimeObject<AlarmSpec, AlarmStatus>;

const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10000) / 100 : null);

/** The metric's value now, or null when it cannot be measured. */
export function measure(txn: Txn, spec: AlarmSpec): number | null {
  const { kind, name } = spec.target;
  const target = txn.get(kind, name);
  if (!target) return null;
  switch (spec.metric) {
    case "hostCpuUsedPercent": {
      const s = (target as HostRecord).status;
      return pct(s.cpuUsedMhz, s.cpuCapacityMhz);
    }
    case "hostMemoryUsedPercent": {
      const s = (target as HostRecord).status;
      return pct(s.memoryUsedMb, s.memoryCapacityMb);
    }
    case "clusterImbalance":
      return (target as ClusterRecord).status.drs.lastPassSeconds === null ? null : (target as ClusterRecord).status.drs.imbalance;
    case "haFailoverCapacity":
      return clusterHaStatus(txn, target as ClusterRecord).currentFailoverCapacity;
    case "datastoreFreePercent": {
      const d = target as DatastoreRecord;
      return pct(d.status.freeGb, d.spec.capacityGb);
    }
    case "vmCpuReadyPercent": {
      const vm = target as VmRecord;
      const s = vm.status;
      if (s.powerState !== "on" || s.cpuDemandMhz <= 0) return null;
      return pct(Math.max(0, s.cpuDemandMhz - vmUsage(txn, vm).cpuUsedMhz), s.cpuDemandMhz);
    }
    case "vmEntitlementShortfallMhz": {
      const s = (target as VmRecord).status;
      return s.powerState !== "on" ? null : Math.max(0, Math.round(s.cpuDemandMhz - s.cpuEntitlementMhz));
    }
  }
}

function holds(spec: AlarmSpec, value: number | null): boolean {
  if (value === null) return false;
  return ALARM_METRICS[spec.metric].raisedWhen === "above" ? value > spec.threshold : value < spec.threshold;
}

function describe(alarm: AlarmRecord, value: number | null): string {
  const { metric, threshold, target } = alarm.spec;
  return `${alarm.spec.severity}: ${metric} of ${target.kind} ${target.name} is ${value ?? "unmeasured"}; raised ${ALARM_METRICS[metric].raisedWhen} ${threshold}${alarm.spec.forSeconds > 0 ? ` for ${alarm.spec.forSeconds} s` : ""}`;
}

/** Brings one alarm up to date with its metric; writes it only when something changed. */
export function evaluateAlarm(txn: Txn, alarm: AlarmRecord): void {
  const now = txn.clockSeconds;
  const value = measure(txn, alarm.spec);
  const s = alarm.status;
  let next: AlarmStatus = { ...s, value, observedGeneration: alarm.generation };
  if (!holds(alarm.spec, value)) {
    if (s.state === "raised") txn.emit("Alarm", alarm.name, "AlarmCleared", `cleared: ${describe(alarm, value)}`);
    if (s.state !== "normal") next = { ...next, state: "normal", sinceSeconds: now };
    if (s.state === "pending") cancelAlarmTimers(txn, alarm.name);
  } else if (s.state === "normal") {
    next = { ...next, state: "pending", sinceSeconds: now };
  }
  if (next.state === "pending" && now - (next.sinceSeconds ?? now) >= alarm.spec.forSeconds) {
    next = { ...next, state: "raised", sinceSeconds: now, raisedCount: s.raisedCount + 1 };
    txn.emit("Alarm", alarm.name, "AlarmRaised", `raised: ${describe(alarm, value)}`);
  } else if (next.state === "pending" && s.state !== "pending") {
    schedule(txn, next.sinceSeconds! + alarm.spec.forSeconds, ALARM_DUE_TASK, { kind: "Alarm", name: alarm.name });
  }
  const same =
    next.state === s.state &&
    next.value === s.value &&
    next.sinceSeconds === s.sinceSeconds &&
    next.observedGeneration === s.observedGeneration;
  if (!same) txn.put<AlarmRecord>({ ...alarm, status: next });
}

export function evaluateAlarms(txn: Txn): void {
  for (const alarm of txn.list<AlarmRecord>("Alarm")) evaluateAlarm(txn, alarm);
}

export function cancelAlarmTimers(txn: Txn, name: string): void {
  txn.cancelTimers((t) => t.task === ALARM_DUE_TASK && t.name === name);
}
