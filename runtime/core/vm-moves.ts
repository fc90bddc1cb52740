/**
 * Moving a running VM between hosts. Everything that migrates a VM without changing its spec
 * (DRS, maintenance evacuation) goes through migrateVm, so the migration model, the accounting and
 * the events stay in one place.
 */
import type { VmStatus } from "../../schema/virtual-machine";
import { chargeFootprint } from "./accounting";
import type { VmRecord } from "./model";
import type { Txn } from "./txn";
import { refreshHostUsage } from "./usage";
import { currentFootprint, footprintOf } from "./vm-resources";

/** The status of a VM that has just moved from one host to another. */
export function movedStatus(status: VmStatus, fromHost: string, toHost: string): VmStatus {
  return {
    ...status,
    currentHost: toHost,
    migrations: status.migrations + 1,
    lastMigration: { fromHost, toHost, totalSeconds: 0, downtimeMs: 0, rounds: 0, transferredMb: 0 },
  };
}

/**
 * Live-migrates a running VM to `toHost` and records `event` (its reason and message) on the VM.
 * The caller has checked that the target can take it (placement filters).
 */
export function migrateVm(txn: Txn, name: string, toHost: string, event: { reason: string; message: string }): VmRecord {
  const vm = txn.get<VmRecord>("VirtualMachine", name);
  const before = vm && currentFootprint(vm);
  if (!vm || !before) throw new Error(`internal: ${name} is not running and cannot migrate`);
  chargeFootprint(txn, before, -1);
  chargeFootprint(txn, footprintOf(vm.spec, toHost, vm.status.cluster), 1);
  txn.put<VmRecord>({ ...vm, status: movedStatus(vm.status, before.host, toHost) });
  refreshHostUsage(txn, before.host);
  refreshHostUsage(txn, toHost);
  txn.emit("VirtualMachine", name, event.reason, event.message);
  return txn.get<VmRecord>("VirtualMachine", name)!;
}
