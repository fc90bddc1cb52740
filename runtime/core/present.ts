/** Objects as the public API shows them: stored status plus the name lists read from the world's indexes. */
import { type HaView, clusterHaStatus } from "./ha/cluster-figures";
import type { IndexName } from "./indexes";
import { guestCpuMhz } from "./allocation/vm-claims";
import { type ClusterRecord, type RuntimeObject, type VmRecord, compareNames, deepFreeze } from "./model";

/** The world, or an operation's view of it. */
export type RelatedView = HaView;

function names(world: RelatedView, index: IndexName, key: string): string[] {
  return [...world.related(index, key)].sort(compareNames);
}

/** A frozen snapshot of the object with its derived name lists. */
export function present(world: RelatedView, obj: RuntimeObject): RuntimeObject {
  return deepFreeze(withLists(world, obj));
}

function withLists(world: RelatedView, obj: RuntimeObject): RuntimeObject {
  const status = obj.status as Record<string, unknown>;
  switch (obj.kind) {
    case "Cluster":
      return { ...obj, status: { ...status, hosts: names(world, "hostsInCluster", obj.name), ha: clusterHaStatus(world, obj as ClusterRecord) } };
    case "Host":
      return { ...obj, status: { ...status, vms: names(world, "vmsOnHost", obj.name), incomingVms: names(world, "vmsMigratingTo", obj.name), containers: names(world, "containersOnHost", obj.name) } };
    case "Template":
      return { ...obj, status: { ...status, containers: names(world, "containersByTemplate", obj.name) } };
    case "Datastore": {
      const hosts = names(world, "hostsMountingDatastore", obj.name);
      return { ...obj, status: { ...status, hosts, vms: names(world, "vmsOnDatastore", obj.name), shared: hosts.length > 1 } };
    }
    case "VirtualMachine": {
      const s = (obj as VmRecord).status;
      const guest = guestCpuMhz(s.cpuEntitlementMhz, s.overheadCpuPercent);
      return { ...obj, status: { ...status, cpuGuestEntitlementMhz: guest, cpuOverheadEntitlementMhz: s.cpuEntitlementMhz - guest } };
    }
    case "ResourcePool":
      return { ...obj, status: { ...status, pools: names(world, "poolsInPool", obj.name), vms: names(world, "vmsInPool", obj.name) } };
    default:
      return obj;
  }
}
