/** Datastore: storage mounted by hosts, where VM disks live. Local storage belongs to one host. */
import { DatastoreSpec } from "../../../schema/datastore";
import { refuse } from "../kernel/errors";
import type { DatastoreRecord, StoredDatastoreStatus } from "../kernel/model";
import { tidyGb } from "../storage/disks";
import { refuseIfDependents, requireExisting } from "./common";
import { defineKind } from "./define-kind";

export const datastoreHandler = defineKind<DatastoreSpec, DatastoreRecord>({
  kind: "Datastore",
  schema: DatastoreSpec,
  write(txn, { name, spec, existing, generation, announce }) {
    const hosts = txn.related("hostsMountingDatastore", name);
    if (spec.type === "local" && hosts.length > 1) {
      refuse(
        "Conflict",
        { kind: "Datastore", name, field: "type" },
        `a local datastore belongs to one host, and ${hosts.length} hosts mount it (${hosts.join(", ")})`,
      );
    }
    const usedGb = existing?.status.usedGb ?? 0;
    if (spec.capacityGb < usedGb) {
      refuse(
        "InsufficientCapacity",
        { kind: "Datastore", name, field: "capacityGb" },
        `VM disks use ${usedGb} GB of it; the new capacity is ${spec.capacityGb} GB`,
        txn.related("vmsOnDatastore", name),
      );
    }
    const status: StoredDatastoreStatus = { observedGeneration: generation, usedGb, freeGb: tidyGb(spec.capacityGb - usedGb) };
    txn.put<DatastoreRecord>({ kind: "Datastore", name, spec, status, generation });
    announce(`${spec.type} datastore of ${spec.capacityGb} GB`);
  },

  delete(txn, name) {
    requireExisting<DatastoreRecord>(txn, "Datastore", name);
    refuseIfDependents("Datastore", name, [
      ...txn.related("hostsMountingDatastore", name).map((h) => `Host ${h} (mounts it)`),
      ...txn.related("vmsOnDatastore", name).map((vm) => `VirtualMachine ${vm} (disks)`),
      ...txn.related("datastoreClustersOfDatastore", name).map((c) => `DatastoreCluster ${c} (member)`),
    ]);
    txn.remove("Datastore", name);
    txn.emit("Datastore", name, "Deleted", "datastore removed");
  },
});
