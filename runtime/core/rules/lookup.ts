/** Rules and VM locations as an operation sees them. */
import type { RuleRecord, VmRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import type { Locate } from "./constraints";

/** The rules of `cluster` that name `vm`, by rule name. */
export function rulesNaming(txn: Txn, cluster: string, vm: string): RuleRecord[] {
  return txn.relatedObjects<RuleRecord>("rulesInCluster", cluster).filter((r) => r.spec.vms.includes(vm));
}

/** Where VMs run in this operation's view of the world; a VM being live-migrated counts where it is going. */
export function locateIn(txn: Txn): Locate {
  return (vm) => {
    const status = txn.get<VmRecord>("VirtualMachine", vm)?.status;
    return status?.migration?.kind === "live" ? status.migration.toHost : (status?.currentHost ?? null);
  };
}

/** The host a VM being live-migrated is leaving (it still runs there until the switch-over); null otherwise. */
export function departureIn(txn: Txn): Locate {
  return (vm) => {
    const m = txn.get<VmRecord>("VirtualMachine", vm)?.status.migration;
    return m?.kind === "live" ? m.fromHost : null;
  };
}
