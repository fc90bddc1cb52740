/** Rules and VM locations as an operation sees them. */
import type { RuleRecord, VmRecord } from "../model";
import type { Txn } from "../txn";
import type { Locate } from "./constraints";

/** The rules of `cluster` that name `vm`, by rule name. */
export function rulesNaming(txn: Txn, cluster: string, vm: string): RuleRecord[] {
  return txn.relatedObjects<RuleRecord>("rulesInCluster", cluster).filter((r) => r.spec.vms.includes(vm));
}

/** Where VMs run in this operation's view of the world. */
export function locateIn(txn: Txn): Locate {
  return (vm) => txn.get<VmRecord>("VirtualMachine", vm)?.status.currentHost ?? null;
}
