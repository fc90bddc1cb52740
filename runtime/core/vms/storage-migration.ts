/**
 * Storage migration (Storage vMotion): a VM's disks in a datastore cluster copied from one member to
 * another while the VM runs or not. Since vSphere 5.0 it is one copy pass with a mirror driver writing
 * the guest's new I/O to both sides (Hogan, "vSphere 5.1 Storage Enhancements Part 7: Storage
 * vMotion", 2012), so it takes the time to copy the disks once; the copy runs over the cluster's
 * migration link (`migration.bandwidthMbps`), as a cold migration's disk copy does (vm-moves.ts).
 * The target holds the space from the start, the source until the landing, as VMware's space check
 * asks for room on the destination before the copy.
 */
import type { StorageMigration } from "../../../schema/virtual-machine";
import { type TransitionEvent, type Transitions, checkTransition, writeTransition } from "../kernel/transitions";
import type { DatastoreRecord, HostRecord, VmRecord } from "../kernel/records";
import { STORAGE_MIGRATION_TASK, type TimerTaskHandler, schedule } from "../kernel/timers";
import type { Txn } from "../kernel/txn";
import { tidyGb } from "../storage/disks";
import { placedVmSpec } from "../storage/placed-disks";
import { migrationSettings } from "./vm-moves";
import type { StoredVmStatus } from "../kernel/model";

/** Seconds to copy `sizeGb` over a link of `bandwidthMbps`. */
function storageMigrationSeconds(sizeGb: number, bandwidthMbps: number): number {
  return (sizeGb * 1024 * 8) / bandwidthMbps;
}

function chargeDatastore(txn: Txn, name: string, deltaGb: number): void {
  const ds = txn.get<DatastoreRecord>("Datastore", name);
  if (!ds) return;
  const usedGb = tidyGb(ds.status.usedGb + deltaGb);
  txn.put<DatastoreRecord>({ ...ds, status: { ...ds.status, usedGb, freeGb: tidyGb(ds.spec.capacityGb - usedGb) } });
}

/** The storage migration in flight, checked (one at a time per VM) and written with its event, as setVmMigration does. */
const STORAGE_TRANSITIONS: Transitions<"none" | "inFlight"> = { none: ["inFlight"], inFlight: ["none"] };
function setStorageMigration(
  txn: Txn,
  vm: VmRecord,
  to: StorageMigration | null,
  event: TransitionEvent,
  status: StoredVmStatus = vm.status,
): void {
  const state = (m: StorageMigration | null | undefined) => (m ? "inFlight" : "none");
  checkTransition(`VirtualMachine ${vm.name}`, "storage migration", STORAGE_TRANSITIONS, state(vm.status.storageMigration), state(to));
  writeTransition(txn, vm, "storageMigration", to, event, status);
}

/** Starts moving the VM's `disks` (all on `fromDatastore`) to `toDatastore`; the caller checked room and reach. */
export function startStorageMigration(
  txn: Txn,
  vm: VmRecord,
  move: { datastoreCluster: string; fromDatastore: string; toDatastore: string; disks: number[]; sizeGb: number },
  why: string,
): void {
  const seconds = storageMigrationSeconds(move.sizeGb, migrationSettings(txn, vm.status.cluster).bandwidthMbps);
  const now = txn.clockSeconds;
  const storageMigration: StorageMigration = {
    datastoreCluster: move.datastoreCluster,
    fromDatastore: move.fromDatastore,
    toDatastore: move.toDatastore,
    disks: move.disks,
    sizeGb: move.sizeGb,
    startedAtSeconds: now,
    completesAtSeconds: now + seconds,
  };
  chargeDatastore(txn, move.toDatastore, move.sizeGb);
  setStorageMigration(txn, vm, storageMigration, {
    reason: "StorageMigrationStarted",
    message: `disks ${move.disks.join(", ")} (${move.sizeGb} GB) ${move.fromDatastore} -> ${move.toDatastore} by storage migration, ${seconds.toFixed(1)} s expected: ${why}`,
  });
  schedule(txn, now + seconds, STORAGE_MIGRATION_TASK, { kind: "VirtualMachine", name: vm.name }, { toDatastore: move.toDatastore });
}

/** Calls off a storage migration: the target gives its space back and the disks stay where they are. */
export function abortStorageMigration(txn: Txn, name: string, why: string): void {
  const vm = txn.get<VmRecord>("VirtualMachine", name);
  const m = vm?.status.storageMigration;
  if (!vm || !m) return;
  chargeDatastore(txn, m.toDatastore, -m.sizeGb);
  setStorageMigration(txn, vm, null, {
    reason: "StorageMigrationAborted",
    message: `storage migration ${m.fromDatastore} -> ${m.toDatastore} abandoned: ${why}`,
  });
  txn.cancelTimers((t) => t.task === STORAGE_MIGRATION_TASK && t.name === name);
}

/** The landing: the disks are on the target, the source's space is free. */
function landStorageMigration(txn: Txn, vm: VmRecord, m: StorageMigration): void {
  const host = vm.status.currentHost === null ? undefined : txn.get<HostRecord>("Host", vm.status.currentHost);
  if (host && !host.spec.datastores.includes(m.toDatastore)) {
    abortStorageMigration(txn, vm.name, `${host.name}, where the VM now runs, does not mount ${m.toDatastore}`);
    return;
  }
  const diskDatastores = placedVmSpec(vm).disks.map((d, i) => (m.disks.includes(i) ? m.toDatastore : d.datastore!));
  chargeDatastore(txn, m.fromDatastore, -m.sizeGb);
  setStorageMigration(
    txn,
    vm,
    null,
    {
      reason: "StorageDrsMigrated",
      message: `disks ${m.disks.join(", ")} (${m.sizeGb} GB) moved from ${m.fromDatastore} to ${m.toDatastore} in datastore cluster ${m.datastoreCluster} in ${(txn.clockSeconds - m.startedAtSeconds).toFixed(1)} s`,
    },
    { ...vm.status, diskDatastores },
  );
}

function migrationFor(txn: Txn, name: string, toDatastore: unknown): { vm: VmRecord; m: StorageMigration } | undefined {
  const vm = txn.get<VmRecord>("VirtualMachine", name);
  const m = vm?.status.storageMigration;
  return vm && m && m.toDatastore === (toDatastore as { toDatastore?: string } | undefined)?.toDatastore ? { vm, m } : undefined;
}

/** A storage migration lands; one whose landing failed is called off, so the disks stay on the source. */
export const storageMigrationTimer: TimerTaskHandler = {
  run: (txn, timer) => {
    const found = migrationFor(txn, timer.name, timer.data);
    if (found) landStorageMigration(txn, found.vm, found.m);
  },
  recover: (txn, timer) => {
    if (migrationFor(txn, timer.name, timer.data)) abortStorageMigration(txn, timer.name, "the landing failed (see the StepFailed event)");
  },
};
