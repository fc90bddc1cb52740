/**
 * Secondary indexes over the world: which objects refer to a given name through a field (the VMs on
 * a host, the pools under a pool, the hosts of a cluster). The world keeps them up to date as objects
 * change, so "what runs here" costs the answer's size, not a scan of every object; the name lists in
 * statuses (`Host.status.vms`, ...) are read from them rather than stored. A field holding a list
 * (the datastores a host mounts) files the object under every name in it.
 */
import type { Kind, RuntimeObject } from "./records";

type Keys = (obj: RuntimeObject) => string | readonly string[] | null | undefined;

interface IndexDefinition {
  kind: Kind;
  /**
   * What the key is read from: the spec, or these status fields (and the spec too with `spec: true`).
   * A new version whose parts read are the same values keeps its keys, which is decided without
   * working them out: most writes (usage, a migration's progress) touch no indexed field.
   */
  reads: "spec" | { status: readonly string[]; spec?: true };
  key: Keys;
}

const spec =
  (field: string): Keys =>
  (o) =>
    (o.spec as Record<string, string | undefined>)[field];
const status =
  (field: string): Keys =>
  (o) =>
    (o.status as Record<string, string | null | undefined>)[field];

type DiskRefs = { disks?: { datastore?: string; datastoreCluster?: string }[] };
/** The datastores a spec names, kept per spec: most VM writes keep the spec, so the keys are the same array and compare at once. */
const namedDatastores = new WeakMap<object, readonly string[]>();

/** The datastores holding a VM's disks (a datastore-cluster disk where its status places it) and the target of its storage migration. */
function vmDatastores(o: RuntimeObject): readonly string[] {
  const spec = o.spec as DiskRefs;
  const st = o.status as { diskDatastores?: string[]; storageMigration?: { toDatastore: string } | null };
  if (!st.storageMigration && !spec.disks?.some((d) => d.datastoreCluster !== undefined)) {
    let named = namedDatastores.get(spec);
    if (!named) namedDatastores.set(spec, (named = (spec.disks ?? []).flatMap((d) => (d.datastore === undefined ? [] : [d.datastore]))));
    return named;
  }
  const on = (spec.disks ?? []).flatMap((d, i) => {
    const ds = d.datastoreCluster === undefined ? d.datastore : st.diskDatastores?.[i];
    return ds === undefined ? [] : [ds];
  });
  return st.storageMigration ? [...on, st.storageMigration.toDatastore] : on;
}

export const INDEXES = {
  /** Running VMs by the host they run on. */
  vmsOnHost: { kind: "VirtualMachine", reads: { status: ["currentHost"] }, key: status("currentHost") },
  vmsInPool: { kind: "VirtualMachine", reads: "spec", key: spec("pool") },
  vmsInCluster: { kind: "VirtualMachine", reads: { status: ["cluster"] }, key: status("cluster") },
  /** VMs being migrated (live or cold), by their target host and by their source host. */
  vmsMigratingTo: {
    kind: "VirtualMachine",
    reads: { status: ["migration"] },
    key: (o) => (o.status as { migration?: { toHost: string } | null }).migration?.toHost,
  },
  vmsMigratingFrom: {
    kind: "VirtualMachine",
    reads: { status: ["migration"] },
    key: (o) => (o.status as { migration?: { fromHost: string } | null }).migration?.fromHost,
  },
  /** VMs pinned to a host, running or not. */
  vmsPinnedTo: { kind: "VirtualMachine", reads: "spec", key: spec("host") },
  /**
   * VMs with a disk on a datastore, running or not: where the spec names it or, for a datastore-cluster
   * disk, where the status places it, and the target of a storage migration under way. Read from the
   * status, which every spec change rewrites.
   */
  vmsOnDatastore: {
    kind: "VirtualMachine",
    reads: { status: ["diskDatastores", "storageMigration"], spec: true },
    key: (o) => vmDatastores(o),
  },
  /** VMs with a disk naming a datastore cluster. */
  vmsOnDatastoreCluster: {
    kind: "VirtualMachine",
    reads: "spec",
    key: (o) =>
      (o.spec as { disks?: { datastoreCluster?: string }[] }).disks?.flatMap((d) => (d.datastoreCluster ? [d.datastoreCluster] : [])),
  },
  /** Datastore clusters by the VMs their anti-affinity rules name. */
  datastoreClustersNamingVm: {
    kind: "DatastoreCluster",
    reads: "spec",
    key: (o) => (o.spec as { antiAffinityRules?: { vms: string[] }[] }).antiAffinityRules?.flatMap((r) => r.vms),
  },
  /** Datastore clusters by their member datastores. */
  datastoreClustersOfDatastore: { kind: "DatastoreCluster", reads: "spec", key: (o) => (o.spec as { datastores?: string[] }).datastores },
  /** VMs HA is restarting (waiting, pending or booting), by cluster. */
  haRestartsInCluster: {
    kind: "VirtualMachine",
    reads: { status: ["haRestart", "cluster"] },
    key: (o) => ((o.status as { haRestart?: unknown }).haRestart ? (o.status as { cluster?: string | null }).cluster : undefined),
  },
  poolsInPool: { kind: "ResourcePool", reads: "spec", key: spec("parent") },
  poolsInCluster: { kind: "ResourcePool", reads: "spec", key: spec("cluster") },
  hostsInCluster: { kind: "Host", reads: "spec", key: spec("cluster") },
  hostsMountingDatastore: { kind: "Host", reads: "spec", key: (o) => (o.spec as { datastores?: string[] }).datastores },
  rulesInCluster: { kind: "Rule", reads: "spec", key: spec("cluster") },
  /** Running containers by the host they run on. */
  containersOnHost: { kind: "Container", reads: { status: ["currentHost"] }, key: status("currentHost") },
  /** Containers moving onto / away from a host. */
  containersMigratingTo: {
    kind: "Container",
    reads: { status: ["migration"] },
    key: (o) => (o.status as { migration?: { toHost: string } | null }).migration?.toHost,
  },
  containersMigratingFrom: {
    kind: "Container",
    reads: { status: ["migration"] },
    key: (o) => (o.status as { migration?: { fromHost: string } | null }).migration?.fromHost,
  },
  containersInCluster: { kind: "Container", reads: { status: ["cluster"] }, key: status("cluster") },
  containersPinnedTo: { kind: "Container", reads: "spec", key: spec("host") },
  /** Containers by the addresses they hold: IP address management reads who holds an address here. */
  containersByAddress: {
    kind: "Container",
    reads: { status: ["ipAddresses"] },
    key: (o) => (o.status as { ipAddresses?: string[] }).ipAddresses,
  },
  /** Containers by their OS template and their app templates. */
  containersByTemplate: {
    kind: "Container",
    reads: "spec",
    key: (o) => {
      const s = o.spec as { template: string; apps?: string[] };
      return [s.template, ...(s.apps ?? [])];
    },
  },
  /** Containers HA owes a restart, by cluster. */
  containerRestartsInCluster: {
    kind: "Container",
    reads: { status: ["haRestart", "cluster"] },
    key: (o) => ((o.status as { haRestart?: unknown }).haRestart ? (o.status as { cluster?: string | null }).cluster : undefined),
  },
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

const NO_KEYS: readonly string[] = [];

/** The keys an object is filed under in an index (none when the field is unset). */
export function indexKeys(index: IndexName, obj: RuntimeObject): readonly string[] {
  const keys = (INDEXES[index].key as Keys)(obj);
  if (keys === null || keys === undefined) return NO_KEYS;
  return typeof keys === "string" ? [keys] : keys;
}

/** Whether the parts an index reads are the same values in both versions. */
function sameParts(reads: IndexDefinition["reads"], before: RuntimeObject, after: RuntimeObject): boolean {
  if (reads === "spec") return before.spec === after.spec;
  if (before.status === after.status) return true;
  if (reads.spec && before.spec !== after.spec) return false;
  const a = before.status as Record<string, unknown>;
  const b = after.status as Record<string, unknown>;
  for (const field of reads.status) if (a[field] !== b[field]) return false;
  return true;
}

const absent = (keys: string | readonly string[] | null | undefined) => keys === null || keys === undefined;

/**
 * Whether an object is filed under the same keys before and after a change, read without building key
 * lists (and without reading keys when the indexed part is the same value): most changes (usage, a
 * migration's progress) touch no indexed field, and a large step makes thousands of them.
 */
export function sameIndexKeys(index: IndexName, before: RuntimeObject | undefined, after: RuntimeObject | undefined): boolean {
  const def: IndexDefinition = INDEXES[index];
  if (before !== undefined && after !== undefined && sameParts(def.reads, before, after)) return true;
  const key = def.key;
  const a = before && key(before);
  const b = after && key(after);
  if (a === b || (absent(a) && absent(b))) return true;
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((k, i) => k === b[i]);
}
