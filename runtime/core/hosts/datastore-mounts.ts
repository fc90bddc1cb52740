/**
 * Which hosts see which datastores. A local datastore belongs to one host; a host may stop
 * mounting a datastore only when none of the VMs running on it, or migrating onto it, has a disk there.
 */
import type { HostSpec } from "../../../schema/host";
import { refuse } from "../kernel/errors";
import type { DatastoreRecord, VmRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { vmsOnOrMigratingTo } from "../vms/vm-moves";
import { unmountedDatastores } from "../storage/visibility";
import { placedVmSpec } from "../storage/placed-disks";

export function checkHostMounts(txn: Txn, host: string, spec: HostSpec, previous: HostSpec | undefined): void {
  spec.datastores.forEach((name, i) => {
    const at = { kind: "Host", name: host, field: `datastores.${i}` };
    if (spec.datastores.indexOf(name) !== i) refuse("InvalidSpec", at, `datastore ${name} is listed twice`);
    const ds = txn.get<DatastoreRecord>("Datastore", name);
    if (!ds) refuse("NotFound", at, `Datastore ${name} does not exist`);
    const others = txn.related("hostsMountingDatastore", name).filter((h) => h !== host);
    if (ds.spec.type === "local" && others.length > 0) {
      refuse("Conflict", at, `datastore ${name} is local storage of host ${others[0]}; a local datastore belongs to one host`);
    }
  });
  const dropped = (previous?.datastores ?? []).filter((d) => !spec.datastores.includes(d));
  if (dropped.length === 0) return;
  const users = vmsOnOrMigratingTo(txn, host).flatMap((vm) => {
    const needs = unmountedDatastores(placedVmSpec(txn.get<VmRecord>("VirtualMachine", vm)!), spec.datastores);
    return needs.length > 0 ? [`${vm} (disks on ${needs.join(", ")})`] : [];
  });
  if (users.length > 0) {
    refuse(
      "Conflict",
      { kind: "Host", name: host, field: "datastores" },
      `running VMs have disks on ${dropped.join(", ")}; move or power them off before unmounting`,
      users,
    );
  }
}
