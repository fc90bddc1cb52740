/** The public runtime API (`polyvisor/runtime`): what the provider, the CLI, the server and tests call. */
import type { Kind } from "../schema";
import type { ClusterSpec, ClusterStatus } from "../schema/cluster";
import type { DatastoreSpec, DatastoreStatus } from "../schema/datastore";
import type { HostSpec, HostStatus } from "../schema/host";
import type { ResourcePoolSpec, ResourcePoolStatus } from "../schema/resource-pool";
import type { VmSpec, VmStatus } from "../schema/virtual-machine";
import type { RuntimeEvent, RuntimeObject } from "./core/model";
import type { ContainerSpec, ContainerStatus } from "../schema/container";
import type { TemplateSpec, TemplateStatus } from "../schema/template";

export type { Kind, RuntimeEvent, RuntimeObject };

/** Typed views of what get/list/apply return for each kind. */
export type ClusterObject = RuntimeObject<ClusterSpec, ClusterStatus>;
export type HostObject = RuntimeObject<HostSpec, HostStatus>;
export type DatastoreObject = RuntimeObject<DatastoreSpec, DatastoreStatus>;
export type ResourcePoolObject = RuntimeObject<ResourcePoolSpec, ResourcePoolStatus>;
export type VirtualMachineObject = RuntimeObject<VmSpec, VmStatus>;
export type ContainerObject = RuntimeObject<ContainerSpec, ContainerStatus>;
export type TemplateObject = RuntimeObject<TemplateSpec, TemplateStatus>;

export interface ObjectInput {
  kind: Kind;
  name: string;
  spec: object;
}

export interface RuntimeOptions {
  /** SQLite file (":memory:" allowed). Default: POLYVISOR_STATE, else ./.polyvisor/state.db */
  path?: string;
  /** A running `polyvisor serve`. */
  url?: string;
  token?: string;
  /** A PostgreSQL connection string. */
  postgres?: string;
  /** Seed of the random source of a new state; the same seed gives the same events. Default 1. */
  seed?: number;
}

/** Objects returned by a runtime are frozen snapshots: copy them to build a changed spec. */
export interface Runtime {
  /** Creates or updates an object, then reconciles: placement, admission, accounting. */
  apply(obj: ObjectInput): Promise<RuntimeObject>;
  /** Like apply, but refuses with Conflict when the name is taken. */
  create(obj: ObjectInput): Promise<RuntimeObject>;
  /** Like apply, but refuses with NotFound when the object does not exist. */
  update(obj: ObjectInput): Promise<RuntimeObject>;
  get(kind: Kind, name: string): Promise<RuntimeObject | undefined>;
  list(kind: Kind): Promise<RuntimeObject[]>;
  delete(kind: Kind, name: string): Promise<void>;
  failHost(name: string, opts?: { mode?: "crash" | "isolation" }): Promise<void>;
  /** The guest of a running VM fails (hangs by default, or crashes): its heartbeats stop, and VM Monitoring may reset it. */
  failVm(name: string, opts?: { mode?: "heartbeat" | "crash" }): Promise<void>;
  recoverHost(name: string): Promise<void>;
  /** Moves the simulated clock; workloads, DRS and HA run. */
  advance(seconds: number): Promise<void>;
  /**
   * Runs a DRS pass on the cluster now (as a periodic pass would, without drawing new workload
   * samples) and returns the cluster; `apply` applies its moves even in manual or partiallyAutomated.
   */
  runDrs(cluster: string, opts?: { apply?: boolean }): Promise<RuntimeObject>;
  events(opts?: { sinceSeq?: number }): Promise<RuntimeEvent[]>;
  /** Simulated time in seconds since the state was created. */
  now(): Promise<number>;
  close(): Promise<void>;
}
