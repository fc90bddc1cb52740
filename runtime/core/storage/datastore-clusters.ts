/**
 * Datastore clusters (vSphere storage pods): initial placement of the disks that name one. Storage
 * DRS's initial placement puts a new VM's disks on the member with the most free space after them
 * among those with room ("Understanding vSphere Storage DRS", VMware technical white paper; VMware
 * vSphere 5.1 Resource Management Guide, "Storage DRS Initial Placement"), and keeps a VM's disks in
 * one datastore cluster together (intra-VM affinity, the default: StoragePlacementSpec /
 * StorageDrsPodConfigInfo.defaultIntraVmAffinity = true). The model has no I/O load, so the I/O
 * latency half of the paper's placement has nothing to weigh and only space decides.
 */
import type { VmSpec } from "../../../schema/virtual-machine";
import { refuse } from "../kernel/errors";
import type { DatastoreClusterRecord, DatastoreRecord, Kind, VmRecord } from "../kernel/records";
import type { Txn } from "../kernel/txn";
import { type VmDisks, diskSizeGb, tidyGb } from "./disks";

/** A datastore's used space in percent of its capacity. */
export function usedPercent(ds: DatastoreRecord): number {
  return (ds.status.usedGb / ds.spec.capacityGb) * 100;
}

/** The disk indexes of a VM that name the datastore cluster. */
export function disksIn(spec: VmSpec, datastoreCluster: string): number[] {
  return spec.disks.flatMap((d, i) => (d.datastoreCluster === datastoreCluster ? [i] : []));
}

/** The size in GB of the given disks. */
export function sizeOfDisks(vm: VmDisks, disks: readonly number[]): number {
  return tidyGb(disks.reduce((sum, i) => sum + diskSizeGb(vm, i), 0));
}

/**
 * The member to place `sizeGb` of a VM's disks on: among the members with room that `reachable`
 * accepts and `avoid` does not name (with why), the one left with the lowest used percentage (ties by
 * name); or the reason each is out.
 */
function chooseMember(
  txn: Txn,
  pod: DatastoreClusterRecord,
  sizeGb: number,
  reachable: (datastore: string) => boolean,
  avoid: ReadonlyMap<string, string>,
): { datastore: string; usedPercentAfter: number } | { rejections: string[] } {
  let best: { datastore: string; usedPercentAfter: number } | undefined;
  const rejections: string[] = [];
  for (const name of [...pod.spec.datastores].sort()) {
    const why = avoid.get(name);
    if (why !== undefined) {
      rejections.push(`${name}: ${why}`);
      continue;
    }
    const ds = txn.get<DatastoreRecord>("Datastore", name);
    if (!ds) {
      rejections.push(`${name}: does not exist`);
      continue;
    }
    if (!reachable(name)) {
      rejections.push(`${name}: no host that could run the VM mounts it`);
      continue;
    }
    if (ds.status.freeGb < sizeGb) {
      rejections.push(`${name}: ${ds.status.freeGb} GB free, ${sizeGb} GB needed`);
      continue;
    }
    const after = ((ds.status.usedGb + sizeGb) / ds.spec.capacityGb) * 100;
    if (!best || after < best.usedPercentAfter) best = { datastore: name, usedPercentAfter: after };
  }
  return best ?? { rejections };
}

/**
 * The datastore of each disk (by index) after a change: a disk naming a datastore is on it; the disks
 * naming a datastore cluster stay together on the member the VM's disks there were on before (still
 * a member), else go to the member initial placement picks for their total size, away from the
 * datastores holding disks of the VMs an anti-affinity rule keeps apart from it. Refuses with
 * InsufficientCapacity (naming the disk and each member's reason) when no member can take them.
 */
export function placeVmDisks(
  txn: Txn,
  vm: string,
  after: VmDisks,
  before: { spec: VmSpec; diskDatastores: readonly string[] | undefined } | null,
  reachable: (datastore: string) => boolean,
): string[] {
  const chosen = new Map<string, string>();
  const placed: string[] = [];
  after.spec.disks.forEach((disk, i) => {
    const podName = disk.datastoreCluster;
    if (podName === undefined) {
      placed.push(disk.datastore!);
      return;
    }
    let ds = chosen.get(podName);
    if (ds === undefined) {
      const field = { kind: "VirtualMachine" as const, name: vm, field: `disks.${i}.datastoreCluster` };
      const pod = txn.get<DatastoreClusterRecord>("DatastoreCluster", podName);
      if (!pod) refuse("NotFound", field, `DatastoreCluster ${podName} does not exist`);
      const kept = before ? keptMember(before, podName, pod) : undefined;
      if (kept !== undefined) ds = kept;
      else {
        const sizeGb = sizeOfDisks(after, disksIn(after.spec, podName));
        const choice = chooseMember(txn, pod, sizeGb, reachable, peerDatastores(txn, pod, vm));
        if ("rejections" in choice) {
          refuse(
            "InsufficientCapacity",
            field,
            `no member of datastore cluster ${podName} can take the VM's ${sizeGb} GB of disks there (kept together)`,
            choice.rejections,
          );
        }
        ds = choice.datastore;
      }
      chosen.set(podName, ds);
    }
    placed.push(ds);
  });
  return placed;
}

/** Where the VM's disks in the datastore cluster were, if that is still a member. */
function keptMember(
  before: { spec: VmSpec; diskDatastores: readonly string[] | undefined },
  podName: string,
  pod: DatastoreClusterRecord,
): string | undefined {
  const i = before.spec.disks.findIndex((d) => d.datastoreCluster === podName);
  const ds = i < 0 ? undefined : before.diskDatastores?.[i];
  return ds !== undefined && pod.spec.datastores.includes(ds) ? ds : undefined;
}

/** Reads objects: the world or an operation's Txn. */
interface ObjectView {
  get(kind: Kind, name: string): unknown;
}

/** The datastore holding the VM's disks in the datastore cluster (kept together), if it has any there. */
function vmDatastoreIn(vm: VmRecord, pod: string): string | undefined {
  const i = vm.spec.disks.findIndex((d) => d.datastoreCluster === pod);
  return i < 0 ? undefined : vm.status.diskDatastores?.[i];
}

/**
 * The datastores the VM's disks in the datastore cluster must keep off, each with why: those holding,
 * or receiving by a storage migration, disks there of a VM an anti-affinity rule names with it.
 * `planned` overrides where a VM's disks are (moves a pass has planned).
 */
export function peerDatastores(
  view: ObjectView,
  pod: DatastoreClusterRecord,
  vm: string,
  planned?: ReadonlyMap<string, string>,
): Map<string, string> {
  const avoid = new Map<string, string>();
  for (const rule of pod.spec.antiAffinityRules) {
    if (!rule.vms.includes(vm)) continue;
    for (const peer of rule.vms) {
      if (peer === vm) continue;
      const record = view.get("VirtualMachine", peer) as VmRecord | undefined;
      if (!record) continue;
      const at = [planned?.get(peer) ?? vmDatastoreIn(record, pod.name)];
      const m = record.status.storageMigration;
      if (m?.datastoreCluster === pod.name) at.push(m.toDatastore);
      for (const ds of at)
        if (ds !== undefined && !avoid.has(ds)) avoid.set(ds, `holds disks of ${peer} (anti-affinity rule ${rule.name})`);
    }
  }
  return avoid;
}

/** The anti-affinity rules broken now: each datastore two or more of a rule's VMs have disks on. */
export function ruleViolations(view: ObjectView, pod: DatastoreClusterRecord): { rule: string; datastore: string; vms: string[] }[] {
  const found: { rule: string; datastore: string; vms: string[] }[] = [];
  for (const rule of pod.spec.antiAffinityRules) {
    const byDatastore = new Map<string, string[]>();
    for (const name of [...rule.vms].sort()) {
      const vm = view.get("VirtualMachine", name) as VmRecord | undefined;
      const ds = vm && vmDatastoreIn(vm, pod.name);
      if (ds !== undefined) byDatastore.set(ds, [...(byDatastore.get(ds) ?? []), name]);
    }
    for (const [datastore, vms] of [...byDatastore].sort(([a], [b]) => (a < b ? -1 : 1)))
      if (vms.length > 1) found.push({ rule: rule.name, datastore, vms });
  }
  return found;
}
