/**
 * Datastore capacity: a VM's disks take space on their datastores whether the VM runs or not. The
 * used figure of each datastore is kept up to date as VMs come, change and go, and a disk that does
 * not fit is refused naming the datastore.
 */
import type { VmSpec } from "../../../schema/virtual-machine";
import { refuse } from "../errors";
import type { DatastoreRecord } from "../model";
import type { Txn } from "../txn";

/** Gigabytes kept to 6 decimals so that fractional sizes add up without float noise. */
export function tidyGb(gb: number): number {
  return Math.round(gb * 1e6) / 1e6;
}

/** GB per datastore for a VM's disks (several disks may share one datastore). */
export function diskUsage(spec: VmSpec | null): Map<string, number> {
  const usage = new Map<string, number>();
  for (const disk of spec?.disks ?? []) {
    if (disk.datastore === undefined) continue;
    usage.set(disk.datastore, tidyGb((usage.get(disk.datastore) ?? 0) + disk.sizeGb));
  }
  return usage;
}

/** The datastores a VM needs every host it runs on to mount. */
export function datastoresOf(spec: VmSpec): string[] {
  return [...diskUsage(spec).keys()].sort();
}

/**
 * Moves a VM's disk usage from its old spec to its new one (null when created or deleted),
 * refusing a missing datastore or one without room for the growth.
 */
export function chargeDisks(txn: Txn, vm: string, before: VmSpec | null, after: VmSpec | null): void {
  const old = diskUsage(before);
  const wanted = diskUsage(after);
  const field = (datastore: string, leaf: string) => {
    const i = after!.disks.findIndex((d) => d.datastore === datastore);
    return `disks.${i}.${leaf}`;
  };
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
  for (const name of new Set([...old.keys(), ...wanted.keys()])) {
    const delta = tidyGb((wanted.get(name) ?? 0) - (old.get(name) ?? 0));
    if (delta === 0) continue;
    const ds = txn.get<DatastoreRecord>("Datastore", name);
    if (!ds) continue; // a datastore in use cannot be deleted, so only a refused create could get here
    const usedGb = tidyGb(ds.status.usedGb + delta);
    txn.put<DatastoreRecord>({ ...ds, status: { ...ds.status, usedGb, freeGb: tidyGb(ds.spec.capacityGb - usedGb) } });
  }
}
