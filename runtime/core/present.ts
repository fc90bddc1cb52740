/** Objects as the public API shows them: stored status plus the name lists read from the world's indexes. */
import { type HaView, clusterHaStatus } from "./ha/cluster-figures";
import type { IndexName } from "./kernel/indexes";
import { guestCpuMhz } from "./allocation/vm-claims";
import { scoreBuckets, vmDrsScore } from "./drs/vm-score";
import {
  type ClusterRecord,
  type DatastoreClusterRecord,
  type DatastoreRecord,
  type RuntimeObject,
  type VmRecord,
  compareNames,
  deepFreeze,
} from "./kernel/model";
import { ruleViolations, usedPercent } from "./storage/datastore-clusters";
import { tidyGb } from "./storage/disks";
import { type VmUsage, vmUsage } from "./vms/vm-usage";

/** The world, or an operation's view of it. */
export type RelatedView = HaView;

function names(world: RelatedView, index: IndexName, key: string): string[] {
  return [...world.related(index, key)].sort(compareNames);
}

/** A frozen snapshot of the object with its derived name lists. */
export function present(world: RelatedView, obj: RuntimeObject): RuntimeObject {
  return deepFreeze(withLists(world, obj));
}

/**
 * A VM as the API shows it, with its usage (vms/vm-usage.ts). Its figures are read from the VM and its
 * host alone, not from the rest of the world, so a store can show one from two rows without loading
 * the world.
 */
export function presentVm(vm: VmRecord, usage: VmUsage): RuntimeObject {
  return deepFreeze(vmWithFigures(vm, usage));
}

function vmWithFigures(vm: VmRecord, usage: VmUsage): RuntimeObject {
  const s = vm.status;
  const guest = guestCpuMhz(s.cpuEntitlementMhz, s.overheadCpuPercent);
  const score = vmDrsScore(vm, usage);
  return {
    ...vm,
    status: {
      ...s,
      ...usage,
      cpuGuestEntitlementMhz: guest,
      cpuOverheadEntitlementMhz: s.cpuEntitlementMhz - guest,
      drsScore: score ?? null,
    },
  };
}

function withLists(world: RelatedView, obj: RuntimeObject): RuntimeObject {
  const status = obj.status as Record<string, unknown>;
  switch (obj.kind) {
    case "Cluster": {
      const c = obj as ClusterRecord;
      const scores = c.spec.drs.enabled
        ? [...world.related("vmsInCluster", obj.name)].flatMap((n) => {
            const vm = world.get("VirtualMachine", n) as VmRecord;
            return vmDrsScore(vm, vmUsage(world, vm)) ?? [];
          })
        : [];
      const drs = { ...c.status.drs, vmScoreBuckets: scoreBuckets(scores) };
      return { ...obj, status: { ...status, drs, hosts: names(world, "hostsInCluster", obj.name), ha: clusterHaStatus(world, c) } };
    }
    case "Host":
      return {
        ...obj,
        status: {
          ...status,
          vms: names(world, "vmsOnHost", obj.name),
          incomingVms: names(world, "vmsMigratingTo", obj.name),
          containers: names(world, "containersOnHost", obj.name),
        },
      };
    case "Template":
      return { ...obj, status: { ...status, containers: names(world, "containersByTemplate", obj.name) } };
    case "Datastore": {
      const hosts = names(world, "hostsMountingDatastore", obj.name);
      return { ...obj, status: { ...status, hosts, vms: names(world, "vmsOnDatastore", obj.name), shared: hosts.length > 1 } };
    }
    case "VirtualMachine":
      return vmWithFigures(obj as VmRecord, vmUsage(world, obj as VmRecord));
    case "DatastoreCluster":
      return {
        ...obj,
        status: {
          ...status,
          ...podSpace(world, (obj as DatastoreClusterRecord).spec.datastores),
          violations: ruleViolations(world, obj as DatastoreClusterRecord),
        },
      };
    case "ResourcePool":
      return { ...obj, status: { ...status, pools: names(world, "poolsInPool", obj.name), vms: names(world, "vmsInPool", obj.name) } };
    default:
      return obj;
  }
}

/** A datastore cluster's space: its members' sums, and each member's used percentage. */
function podSpace(world: RelatedView, members: readonly string[]) {
  let capacityGb = 0;
  let freeGb = 0;
  const used: Record<string, number> = {};
  for (const name of members) {
    const ds = world.get("Datastore", name) as DatastoreRecord | undefined;
    if (!ds) continue;
    capacityGb += ds.spec.capacityGb;
    freeGb += ds.status.freeGb;
    used[name] = Math.round(usedPercent(ds) * 100) / 100;
  }
  return { capacityGb: tidyGb(capacityGb), freeGb: tidyGb(freeGb), usedPercent: used };
}
