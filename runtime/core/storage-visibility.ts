/**
 * Which of a VM's disks a host can reach: what decides between a live migration (shared storage) and
 * a cold one that copies disks. A host reaches the datastores it lists. A datastore no host lists is
 * taken as shared storage outside the model (NFS, iSCSI), unless the disk sits on a partition or a
 * whole device: those are one host's hardware.
 */
import type { VmDisk, VmSpec } from "../../schema/virtual-machine";
import type { HostRecord, VmRecord } from "./model";
import type { Txn } from "./txn";

function reachable(txn: Txn, disk: VmDisk, host: HostRecord): boolean {
  if (host.spec.datastores.includes(disk.datastore)) return true;
  const listedElsewhere = txn.list<HostRecord>("Host").some((h) => h.spec.datastores.includes(disk.datastore));
  return !listedElsewhere && (disk.backend === undefined || disk.backend === "image");
}

/** Indexes of the disks `host` cannot reach. */
export function disksHiddenFrom(txn: Txn, spec: VmSpec, host: HostRecord): number[] {
  return spec.disks.flatMap((disk, i) => (reachable(txn, disk, host) ? [] : [i]));
}

/** A disk's size: as declared, else the size of the image it was imported from. */
export function diskSizeGb(vm: Pick<VmRecord, "spec" | "status">, index: number): number {
  const declared = vm.spec.disks[index]?.sizeGb;
  if (declared !== undefined) return declared;
  return vm.status.importedDisks.find((d) => d.disk === index)?.sizeGb ?? 0;
}
