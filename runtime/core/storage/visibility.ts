/**
 * Which hosts can reach a VM's disks: those that mount every datastore holding one (`Host.datastores`).
 * That decides where a VM may run, restart or live-migrate; since a local datastore belongs to one
 * host (hosts/datastore-mounts.ts), a disk there pins its VM to that host. A running VM moves live only to a
 * host that sees all its datastores (shared storage); a powered-off VM moves cold, its relocated disks
 * copied to datastores the target mounts.
 */
import type { VmSpec } from "../../../schema/virtual-machine";
import { diskLocation } from "./placed-disks";

/** The datastores holding the VM's disks (a placed spec: placed-disks.ts) that `mounted` lacks, each once, in disk order; empty when it sees them all. */
export function unmountedDatastores(spec: VmSpec, mounted: readonly string[]): string[] {
  const disks = spec.disks;
  let missing: string[] | undefined;
  for (let i = 0; i < disks.length; i++) {
    const ds = diskLocation(disks[i]);
    if (!mounted.includes(ds) && !missing?.includes(ds)) (missing ??= []).push(ds);
  }
  return missing ?? NONE;
}
const NONE: string[] = [];

/** "disk 0 on datastore local1 (partition /dev/sda5)" for each disk on one of `datastores`. */
export function describeDisksOn(spec: VmSpec, datastores: readonly string[]): string[] {
  return spec.disks.flatMap((d, i) =>
    datastores.includes(diskLocation(d))
      ? [`disk ${i} on datastore ${diskLocation(d)}${d.backend ? ` (${d.backend} ${d.path})` : ""}`]
      : [],
  );
}

/** The disks a change moves to another datastore (same index, new datastore): what a cold migration copies. */
export function relocatedDisks(before: VmSpec, after: VmSpec): number[] {
  return after.disks.flatMap((d, i) => (before.disks[i] !== undefined && before.disks[i].datastore !== d.datastore ? [i] : []));
}
