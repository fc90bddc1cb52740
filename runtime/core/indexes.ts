/**
 * Secondary indexes over the world: which objects refer to a given name through a field (the VMs on
 * a host, the pools under a pool, the hosts of a cluster). The world keeps them up to date as objects
 * change, so "what runs here" costs the answer's size, not a scan of every object; the name lists in
 * statuses (`Host.status.vms`, ...) are read from them rather than stored.
 */
import type { Kind, RuntimeObject } from "./model";

type Field = (obj: RuntimeObject) => string | null | undefined;

interface IndexDefinition {
  kind: Kind;
  key: Field;
}

const spec = (field: string): Field => (o) => (o.spec as Record<string, string | undefined>)[field];
const status = (field: string): Field => (o) => (o.status as Record<string, string | null | undefined>)[field];

export const INDEXES = {
  /** Running VMs by the host they run on. */
  vmsOnHost: { kind: "VirtualMachine", key: status("currentHost") },
  vmsInPool: { kind: "VirtualMachine", key: spec("pool") },
  vmsInCluster: { kind: "VirtualMachine", key: status("cluster") },
  /** VMs being live-migrated, by their target host. */
  vmsMigratingTo: { kind: "VirtualMachine", key: (o) => (o.status as { migration?: { toHost: string } | null }).migration?.toHost },
  /** VMs pinned to a host, running or not. */
  vmsPinnedTo: { kind: "VirtualMachine", key: spec("host") },
  poolsInPool: { kind: "ResourcePool", key: spec("parent") },
  poolsInCluster: { kind: "ResourcePool", key: spec("cluster") },
  hostsInCluster: { kind: "Host", key: spec("cluster") },
} as const satisfies Record<string, IndexDefinition>;

export type IndexName = keyof typeof INDEXES;

export const INDEXES_BY_KIND: ReadonlyMap<Kind, readonly [IndexName, IndexDefinition][]> = (() => {
  const byKind = new Map<Kind, [IndexName, IndexDefinition][]>();
  for (const [name, def] of Object.entries(INDEXES) as [IndexName, IndexDefinition][]) {
    if (!byKind.has(def.kind)) byKind.set(def.kind, []);
    byKind.get(def.kind)!.push([name, def]);
  }
  return byKind;
})();

/** The index key of an object, or undefined when the field is unset. */
export function indexKey(index: IndexName, obj: RuntimeObject): string | undefined {
  return INDEXES[index].key(obj) ?? undefined;
}
