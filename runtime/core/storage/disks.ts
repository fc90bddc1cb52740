/**
 * Datastore capacity: a VM's disks take space on their datastores whether the VM runs or not. The
 * used figure of each datastore is kept up to date as VMs come, change and go, and a disk that does
 * not fit is refused naming the datastore.
 */
import type { ImportedDisk, VmSpec } from "../../../schema/virtual-machine";
import { refuse } from "../kernel/errors";
import type { DatastoreRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { diskLocation } from "./placed-disks";

/** A VM's disks with what sizes them: the placed spec (placed-disks.ts), and what P2V read for disks imported from an image. */
export interface VmDisks {
  spec: VmSpec;
  importedDisks: readonly ImportedDisk[];
}

/** Gigabytes kept to 6 decimals so that fractional sizes add up without float noise. */
export function tidyGb(gb: number): number {
  return Math.round(gb * 1e6) / 1e6;
}

/** A disk's size: as declared, else the size of the image it was imported from. */
export function diskSizeGb(vm: VmDisks, index: number): number {
  const declared = vm.spec.disks[index]?.sizeGb;
  if (declared !== undefined) return declared;
  return vm.importedDisks.find((d) => d.disk === index)?.sizeGb ?? 0;
}

/** GB per datastore for a VM's disks (several disks may share one datastore). */
function diskUsage(vm: VmDisks | null): Map<string, number> {
  const usage = new Map<string, number>();
  vm?.spec.disks.forEach((disk, i) => {
    const ds = diskLocation(disk);
    usage.set(ds, tidyGb((usage.get(ds) ?? 0) + diskSizeGb(vm, i)));
  });
  return usage;
}

/**
 * Partition and device backends are block devices: they live on block storage (a local disk, an iSCSI
 * or FC LUN), not on an NFS export, which holds files.
 */
function checkBlockBackends(txn: Txn, vm: string, spec: VmSpec): void {
  spec.disks.forEach((disk, i) => {
    if (disk.backend !== "partition" && disk.backend !== "device") return;
    const ds = disk.datastore === undefined ? undefined : txn.get<DatastoreRecord>("Datastore", disk.datastore);
    if (ds?.spec.type !== "nfs") return;
    refuse(
      "InvalidSpec",
      { kind: "VirtualMachine", name: vm, field: `disks.${i}.backend` },
      `datastore ${disk.datastore} is NFS, which holds files; a ${disk.backend} backend is a block device: use backend image, or a local, iSCSI or FC datastore`,
    );
  });
}

/**
 * Moves a VM's disk usage from its old disks to its new ones (null when created or deleted),
 * refusing a missing datastore, a block backend on NFS, or a datastore without room for the growth.
 */
export function chargeDisks(txn: Txn, vm: string, before: VmDisks | null, after: VmDisks | null): void {
  const old = diskUsage(before);
  const wanted = diskUsage(after);
  const field = (datastore: string, leaf: string) => `disks.${after!.spec.disks.findIndex((d) => diskLocation(d) === datastore)}.${leaf}`;
  for (const [name, gb] of wanted) {
    const ds = txn.get<DatastoreRecord>("Datastore", name);
    if (!ds) refuse("NotFound", { kind: "VirtualMachine", name: vm, field: field(name, "datastore") }, `Datastore ${name} does not exist`);
    const growth = tidyGb(gb - (old.get(name) ?? 0));
    if (growth > ds.status.freeGb) {
      refuse(
        "InsufficientCapacity",
        { kind: "VirtualMachine", name: vm, field: field(name, "sizeGb") },
        `datastore ${name} has ${ds.status.freeGb} GB free of ${ds.spec.capacityGb} GB; the VM's disks there need ${growth} GB more (${gb} GB in all)`,
      );
    }
  }
  if (after) checkBlockBackends(txn, vm, after.spec);
  for (const name of new Set([...old.keys(), ...wanted.keys()])) {
    const delta = tidyGb((wanted.get(name) ?? 0) - (old.get(name) ?? 0));
    if (delta === 0) continue;
    const ds = txn.get<DatastoreRecord>("Datastore", name);
    if (!ds) continue; // a datastore in use cannot be deleted, so only a refused create could get here
    const usedGb = tidyGb(ds.status.usedGb + delta);
    txn.put<DatastoreRecord>({ ...ds, status: { ...ds.status, usedGb, freeGb: tidyGb(ds.spec.capacityGb - usedGb) } });
  }
}
