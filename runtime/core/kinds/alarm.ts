/** Alarm: a metric of a cluster, host, datastore or VM watched against a threshold (alarms/evaluate.ts). */
import { AlarmSpec } from "../../../schema/alarm";
import { type AlarmRecord, cancelAlarmTimers, evaluateAlarm } from "../alarms/evaluate";
import { type KindHandler, describeChanges, guardMode, parseSpec, requireExisting, requireReference, sameSpec } from "./common";

export const alarmHandler: KindHandler = {
  apply(txn, name, raw, mode) {
    const spec = parseSpec("Alarm", name, AlarmSpec, raw);
    const existing = txn.get<AlarmRecord>("Alarm", name);
    guardMode("Alarm", name, existing, mode);
    if (existing && sameSpec(existing.spec, spec)) return existing;
    requireReference(txn, { kind: "Alarm", name, field: "target.name" }, spec.target.kind, spec.target.name);

    const generation = existing ? existing.generation + 1 : 1;
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
    if (existing) txn.emit("Alarm", name, "Updated", describeChanges(existing.spec, spec).join("; "));
    else txn.emit("Alarm", name, "Created", `watches ${spec.metric} of ${spec.target.kind} ${spec.target.name}`);
    evaluateAlarm(txn, alarm);
    return txn.get<AlarmRecord>("Alarm", name)!;
  },

  delete(txn, name) {
    requireExisting<AlarmRecord>(txn, "Alarm", name);
    cancelAlarmTimers(txn, name);
    txn.remove("Alarm", name);
    txn.emit("Alarm", name, "Deleted", "alarm removed");
  },
};
