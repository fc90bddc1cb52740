/**
 * Where a VM's disks are: a disk names a datastore, or a datastore cluster whose member Storage DRS
 * chose (and may change) and the VM's status records (`status.diskDatastores`). Everything that asks
 * which datastores hold a VM's disks (capacity, visibility, indexes) reads the placed spec, in which
 * every disk names its datastore.
 */
import type { VmDisk, VmSpec } from "../../../schema/virtual-machine";
import type { VmRecord } from "../kernel/records";

/** The datastore a disk is on, given what the VM's status recorded for it. */
function diskDatastore(disk: VmDisk, recorded: string | undefined): string | undefined {
  return disk.datastoreCluster === undefined ? disk.datastore : recorded;
}

/** The spec with each datastore-cluster disk naming the member it was placed on. */
export function placedSpec(spec: VmSpec, diskDatastores: readonly string[] | undefined): VmSpec {
  if (!spec.disks.some((d) => d.datastoreCluster !== undefined)) return spec;
  return { ...spec, disks: spec.disks.map((d, i) => ({ ...d, datastore: diskDatastore(d, diskDatastores?.[i]) })) };
}

const placedSpecs = new WeakMap<VmRecord, VmSpec>();

/** A stored VM's placed spec (records are immutable, so it is worked out once per version). */
export function placedVmSpec(vm: VmRecord): VmSpec {
  let spec = placedSpecs.get(vm);
  if (!spec) placedSpecs.set(vm, (spec = placedSpec(vm.spec, vm.status.diskDatastores)));
  return spec;
}

/**
 * A disk's location for visibility checks: its datastore, or, for a datastore-cluster disk not yet
 * placed, a name no host mounts, so that no host is ever taken to see it.
 */
export function diskLocation(disk: VmDisk): string {
  return disk.datastore ?? `(unplaced disk in datastore cluster ${disk.datastoreCluster})`;
}
