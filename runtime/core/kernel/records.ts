/**
 * The records of the world and what an operation hands a store: plain types with no behaviour, so
 * every layer (the kernel, its indexes, the domain modules above) can name them without importing
 * the world itself.
 */
import type { Kind } from "../../../schema";
import type { ClusterSpec, ClusterStatus } from "../../../schema/cluster";
import type { ContainerSpec, ContainerStatus } from "../../../schema/container";
import type { DatastoreSpec, DatastoreStatus } from "../../../schema/datastore";
import type { DatastoreClusterSpec, DatastoreClusterStatus } from "../../../schema/datastore-cluster";
import type { HostSpec, HostStatus } from "../../../schema/host";
import type { ResourcePoolSpec, ResourcePoolStatus } from "../../../schema/resource-pool";
import type { RuleSpec, RuleStatus } from "../../../schema/rule";
import type { TemplateSpec, TemplateStatus } from "../../../schema/template";
import type { VmSpec, VmStatus } from "../../../schema/virtual-machine";

export type { Kind };

export interface RuntimeObject<S = unknown, T = unknown> {
  kind: Kind;
  name: string;
  spec: S;
  status: T;
  /** Incremented on every change of spec; status carries the generation it reflects. */
  generation: number;
}

/** Statuses as stored: the name lists of the public statuses are read from the world's indexes instead. */
export type StoredClusterStatus = Omit<ClusterStatus, "hosts" | "ha">;
export type StoredHostStatus = Omit<HostStatus, "vms" | "incomingVms" | "containers">;
export type StoredPoolStatus = Omit<ResourcePoolStatus, "vms" | "pools">;
export type StoredDatastoreStatus = Omit<DatastoreStatus, "hosts" | "vms" | "shared">;

export type ClusterRecord = RuntimeObject<ClusterSpec, StoredClusterStatus>;
export type HostRecord = RuntimeObject<HostSpec, StoredHostStatus>;
export type PoolRecord = RuntimeObject<ResourcePoolSpec, StoredPoolStatus>;
export type DatastoreRecord = RuntimeObject<DatastoreSpec, StoredDatastoreStatus>;
export type StoredDatastoreClusterStatus = Omit<DatastoreClusterStatus, "capacityGb" | "freeGb" | "usedPercent">;
export type DatastoreClusterRecord = RuntimeObject<DatastoreClusterSpec, StoredDatastoreClusterStatus>;
/** What a VM uses is worked out from its host's division when it is shown (vms/vm-usage.ts). */
export type StoredVmStatus = Omit<VmStatus, "cpuUsedMhz" | "overheadCpuMhz" | "memoryUsedMb">;
export type VmRecord = RuntimeObject<VmSpec, StoredVmStatus>;
export type RuleRecord = RuntimeObject<RuleSpec, RuleStatus>;
export type ContainerRecord = RuntimeObject<ContainerSpec, ContainerStatus>;
export type StoredTemplateStatus = Omit<TemplateStatus, "containers">;
export type TemplateRecord = RuntimeObject<TemplateSpec, StoredTemplateStatus>;

export interface RuntimeEvent {
  seq: number;
  timeSeconds: number;
  kind: Kind;
  name: string;
  /** One CamelCase word, e.g. Placed, PoweredOn, DrsMigrated. */
  reason: string;
  message: string;
}
export type NewEvent = Omit<RuntimeEvent, "seq">;

/** Work due at a simulated time; `seq` orders timers due at the same time by when they were set. */
export interface Timer {
  at: number;
  seq: number;
  task: string;
  kind: Kind;
  name: string;
  data?: unknown;
}

export interface WorldMeta {
  clockSeconds: number;
  randomState: number;
  /** Pending timers, ordered by (at, seq). */
  timers: readonly Timer[];
  nextTimerSeq: number;
}

/** What one operation changed: what a store persists in one transaction. */
export interface Changes {
  puts: RuntimeObject[];
  removes: { kind: Kind; name: string }[];
  events: NewEvent[];
  meta: WorldMeta;
}
