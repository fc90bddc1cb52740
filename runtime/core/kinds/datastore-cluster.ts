/** DatastoreCluster: datastores pooled for disk placement and Storage DRS (a vSphere storage pod). */
import { DatastoreClusterSpec } from "../../../schema/datastore-cluster";
import { cancelStorageDrsPass, scheduleStorageDrsPass } from "../drs/storage-drs";
import { refuse } from "../kernel/errors";
import type { DatastoreClusterRecord, DatastoreRecord, StoredDatastoreClusterStatus, VmRecord } from "../kernel/model";
import { placedVmSpec } from "../storage/placed-disks";
import type { Txn } from "../kernel/txn";
import { refuseIfDependents, requireExisting } from "./common";
import { defineKind } from "./define-kind";

const at = (name: string, field: string) => ({ kind: "DatastoreCluster" as const, name, field });

/** Refuses a member that does not exist or belongs to another datastore cluster, and a rule naming a VM that does not exist. */
function checkMembers(txn: Txn, name: string, spec: DatastoreClusterSpec): void {
  spec.datastores.forEach((ds, i) => {
    if (!txn.get<DatastoreRecord>("Datastore", ds)) refuse("NotFound", at(name, `datastores.${i}`), `Datastore ${ds} does not exist`);
    const other = txn.related("datastoreClustersOfDatastore", ds).find((c) => c !== name);
    if (other !== undefined)
      refuse(
        "Conflict",
        at(name, `datastores.${i}`),
        `datastore ${ds} already belongs to datastore cluster ${other}; a datastore is in at most one`,
      );
  });
  spec.antiAffinityRules.forEach((rule, r) =>
    rule.vms.forEach((vm, i) => {
      if (!txn.get<VmRecord>("VirtualMachine", vm))
        refuse("NotFound", at(name, `antiAffinityRules.${r}.vms.${i}`), `VirtualMachine ${vm} does not exist (rule ${rule.name})`);
    }),
  );
}

/** Refuses dropping a member that holds, or is receiving, disks placed through this datastore cluster. */
function checkDroppedMembers(txn: Txn, name: string, before: DatastoreClusterSpec, after: DatastoreClusterSpec): void {
  const dropped = before.datastores.filter((ds) => !after.datastores.includes(ds));
  if (dropped.length === 0) return;
  const holders = txn.relatedObjects<VmRecord>("vmsOnDatastoreCluster", name).flatMap((vm) => {
    const placed = placedVmSpec(vm);
    const on = new Set(placed.disks.flatMap((d) => (d.datastoreCluster === name && dropped.includes(d.datastore!) ? [d.datastore!] : [])));
    const m = vm.status.storageMigration;
    if (m?.datastoreCluster === name && dropped.includes(m.toDatastore)) on.add(m.toDatastore);
    return [...on].map((ds) => `VirtualMachine ${vm.name} (disks on ${ds})`);
  });
  if (holders.length > 0) {
    refuse(
      "Conflict",
      at(name, "datastores"),
      `cannot remove ${dropped.join(", ")}: disks placed through the datastore cluster are on it; move them first`,
      holders,
    );
  }
}

export const datastoreClusterHandler = defineKind<DatastoreClusterSpec, DatastoreClusterRecord>({
  kind: "DatastoreCluster",
  schema: DatastoreClusterSpec,
  write(txn, { name, spec, existing, generation, announce }) {
    checkMembers(txn, name, spec);
    if (existing) checkDroppedMembers(txn, name, existing.spec, spec);
    const status: StoredDatastoreClusterStatus = existing
      ? { ...existing.status, observedGeneration: generation }
      : { observedGeneration: generation, recommendations: [], lastMoves: [], lastPassSeconds: null };
    txn.put<DatastoreClusterRecord>({ kind: "DatastoreCluster", name, spec, status, generation });
    if (existing?.spec.storageDrs.intervalSeconds !== spec.storageDrs.intervalSeconds)
      scheduleStorageDrsPass(txn, name, spec.storageDrs.intervalSeconds);
    announce(
      `${spec.datastores.length} datastore(s): ${spec.datastores.join(", ")}; Storage DRS ${spec.storageDrs.automationLevel} every ${spec.storageDrs.intervalSeconds} s`,
    );
  },

  delete(txn, name) {
    requireExisting<DatastoreClusterRecord>(txn, "DatastoreCluster", name);
    refuseIfDependents(
      "DatastoreCluster",
      name,
      txn.related("vmsOnDatastoreCluster", name).map((vm) => `VirtualMachine ${vm} (disks)`),
    );
    cancelStorageDrsPass(txn, name);
    txn.remove("DatastoreCluster", name);
    txn.emit("DatastoreCluster", name, "Deleted", "datastore cluster removed");
  },
});
