/** Alarm: a metric of a cluster, host, datastore or VM watched against a threshold (alarms/evaluate.ts). */
import { AlarmSpec } from "../../../schema/alarm";
import { type AlarmRecord, cancelAlarmTimers, evaluateAlarm } from "../alarms/evaluate";
import { requireExisting, requireReference } from "./common";
import { defineKind } from "./define-kind";

export const alarmHandler = defineKind<AlarmSpec, AlarmRecord>({
  kind: "Alarm",
  schema: AlarmSpec,
  write(txn, { name, spec, existing, generation, announce }) {
    requireReference(txn, { kind: "Alarm", name, field: "target.name" }, spec.target.kind, spec.target.name);

    // A changed alarm starts over from normal: its condition is a new one.
    cancelAlarmTimers(txn, name);
    const alarm: AlarmRecord = {
      kind: "Alarm",
      name,
      spec,
      generation,
      status: {
        observedGeneration: generation,
        state: "normal",
        value: null,
        sinceSeconds: null,
        raisedCount: existing?.status.raisedCount ?? 0,
      },
    };
    txn.put(alarm);
    announce(`watches ${spec.metric} of ${spec.target.kind} ${spec.target.name}`);
    evaluateAlarm(txn, alarm);
  },

  delete(txn, name) {
    requireExisting<AlarmRecord>(txn, "Alarm", name);
    cancelAlarmTimers(txn, name);
    txn.remove("Alarm", name);
    txn.emit("Alarm", name, "Deleted", "alarm removed");
  },
});
