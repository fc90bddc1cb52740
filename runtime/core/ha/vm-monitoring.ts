/**
 * VM Monitoring (vSphere Availability 6.7, "VM and Application Monitoring"; API
 * ClusterVmToolsMonitoringSettings): HA resets a VM whose guest stops sending heartbeats for
 * `failureIntervalSeconds`, not within `minUptimeSeconds` of its last reset (the guest is booting),
 * and at most `maxResets` times per `maxResetsWindowSeconds`; then it leaves the VM as it is. `failVm`
 * stands for the guest failing: a hang ("heartbeat") or a crash; either way its heartbeats stop. A reset
 * restarts the guest where it runs, and heartbeats resume. The I/O-stats check vSphere adds before a
 * reset is not modelled (a failed guest here does no I/O). The model keeps no power-on time, so
 * minUptime counts from the last reset only; powering the VM off clears the record (vm-status.ts).
 */
import type { GuestHealth } from "../../../schema/virtual-machine";
import { refuse } from "../kernel/errors";
import type { ClusterRecord, VmRecord } from "../kernel/model";
import { VM_MONITORING_CHECK_TASK, type TimerTaskHandler, schedule } from "../kernel/timers";
import type { Txn } from "../kernel/txn";

export type GuestFailure = NonNullable<GuestHealth["failure"]>;

const HEALTHY: GuestHealth = { heartbeat: "ok", lostAtSeconds: null, failure: null, resetsAtSeconds: [], gaveUp: false };

function monitoringOf(txn: Txn, vm: VmRecord) {
  const cluster = vm.status.cluster === null ? undefined : txn.get<ClusterRecord>("Cluster", vm.status.cluster);
  return cluster?.spec.ha.enabled && cluster.spec.ha.vmMonitoring.enabled ? cluster.spec.ha.vmMonitoring : undefined;
}

/** The guest of a running VM fails: its heartbeats stop; VM Monitoring, if on, resets it in time. */
export function failVm(txn: Txn, name: string, mode: GuestFailure): void {
  const vm = txn.get<VmRecord>("VirtualMachine", name);
  const subject = { kind: "VirtualMachine", name };
  if (!vm) refuse("NotFound", subject, "no such virtual machine");
  if (vm.status.powerState !== "on" || vm.status.currentHost === null)
    refuse("Conflict", subject, "the VM is not running, so its guest cannot fail");
  const health = vm.status.guestHealth ?? HEALTHY;
  if (health.heartbeat === "lost")
    refuse("Conflict", subject, `its guest already failed at t=${health.lostAtSeconds} s (${health.failure})`);
  const now = txn.clockSeconds;
  txn.put<VmRecord>({ ...vm, status: { ...vm.status, guestHealth: { ...health, heartbeat: "lost", lostAtSeconds: now, failure: mode } } });
  const settings = monitoringOf(txn, vm);
  const what = mode === "crash" ? "the guest crashed" : "the guest hangs";
  if (!settings) {
    txn.emit(
      "VirtualMachine",
      name,
      "GuestHeartbeatLost",
      `${what}: no heartbeats; VM Monitoring is off in its cluster, so the VM stays as it is`,
    );
    return;
  }
  const lastReset = health.resetsAtSeconds.at(-1);
  const at = Math.max(now + settings.failureIntervalSeconds, lastReset === undefined ? 0 : lastReset + settings.minUptimeSeconds);
  txn.emit(
    "VirtualMachine",
    name,
    "GuestHeartbeatLost",
    `${what}: no heartbeats; VM Monitoring checks it at t=${at} s and resets it unless it has reached maxResets`,
  );
  schedule(txn, at, VM_MONITORING_CHECK_TASK, { kind: "VirtualMachine", name }, { lostAtSeconds: now });
}

/** The check a lost heartbeat scheduled: reset the VM, or give up after maxResets in the window. */
export const vmMonitoringCheckTimer: TimerTaskHandler = {
  run: (txn, timer) => {
    const vm = txn.get<VmRecord>("VirtualMachine", timer.name);
    const health = vm?.status.guestHealth;
    // Stale: the VM was powered off, deleted or moved on since, or its guest failed again later.
    if (!vm || !health || health.heartbeat !== "lost" || health.lostAtSeconds !== (timer.data as { lostAtSeconds: number }).lostAtSeconds)
      return;
    const settings = monitoringOf(txn, vm);
    if (!settings) return;
    const now = txn.clockSeconds;
    const recent = health.resetsAtSeconds.filter((t) => t > now - settings.maxResetsWindowSeconds);
    if (recent.length >= settings.maxResets) {
      if (!health.gaveUp) {
        txn.put<VmRecord>({ ...vm, status: { ...vm.status, guestHealth: { ...health, resetsAtSeconds: recent, gaveUp: true } } });
        txn.emit(
          "VirtualMachine",
          vm.name,
          "VmMonitoringGaveUp",
          `no heartbeats since t=${health.lostAtSeconds} s, but HA already reset the VM ${recent.length} time(s) in the last ${settings.maxResetsWindowSeconds} s (maxResets ${settings.maxResets}): it is left as it is`,
        );
      }
      return;
    }
    const resets = [...recent, now];
    txn.put<VmRecord>({
      ...vm,
      status: {
        ...vm.status,
        guestHealth: { heartbeat: "ok", lostAtSeconds: null, failure: null, resetsAtSeconds: resets, gaveUp: false },
      },
    });
    txn.emit(
      "VirtualMachine",
      vm.name,
      "VmMonitoringReset",
      `no heartbeats for ${now - health.lostAtSeconds!} s (${health.failure === "crash" ? "guest crashed" : "guest hung"}): HA reset the VM on ${vm.status.currentHost} (reset ${resets.length} of at most ${settings.maxResets} per ${settings.maxResetsWindowSeconds} s)`,
    );
  },
};
