/** The public runtime API (`polyvisor/runtime`): what the provider, the CLI, the server and tests call. */
import type { Kind } from "../schema";
import type { AlarmSpec, AlarmStatus } from "../schema/alarm";
import type { DatastoreClusterSpec, DatastoreClusterStatus } from "../schema/datastore-cluster";
import type { ClusterSpec, ClusterStatus } from "../schema/cluster";
import type { DatastoreSpec, DatastoreStatus } from "../schema/datastore";
import type { HostSpec, HostStatus } from "../schema/host";
import type { ResourcePoolSpec, ResourcePoolStatus } from "../schema/resource-pool";
import type { VmSpec, VmStatus } from "../schema/virtual-machine";
import type { RuntimeEvent, RuntimeObject } from "./core/kernel/model";
import type { StateDump } from "./state-dump";
import type { ContainerSpec, ContainerStatus } from "../schema/container";
import type { TemplateSpec, TemplateStatus } from "../schema/template";
import type { WhatIfReport, WhatIfStep } from "./core/what-if";

export interface SettleOutcome {
  /** The object once settled; undefined when it does not exist (any more). */
  object: RuntimeObject | undefined;
  /** Simulated seconds the clock moved. */
  advancedSeconds: number;
  /** The events of that time, every object's. */
  events: RuntimeEvent[];
}
import type { ClusterHistory } from "./core/history/series";
import type { HistoryQuery } from "./core/history/record";

export type { Kind, RuntimeEvent, RuntimeObject, StateDump, WhatIfReport, WhatIfStep, ClusterHistory, HistoryQuery };
/** The errors a runtime rejects with: refused operations, and a state that cannot be used. */
export { PolyvisorError, isPolyvisorError, type ErrorCode } from "./core/kernel/errors";
export { StateUnusableError, isStateUnusableError } from "./store/state-error";

/** Typed views of what get/list/apply return for each kind. */
export type ClusterObject = RuntimeObject<ClusterSpec, ClusterStatus>;
export type HostObject = RuntimeObject<HostSpec, HostStatus>;
export type DatastoreObject = RuntimeObject<DatastoreSpec, DatastoreStatus>;
export type ResourcePoolObject = RuntimeObject<ResourcePoolSpec, ResourcePoolStatus>;
export type VirtualMachineObject = RuntimeObject<VmSpec, VmStatus>;
export type ContainerObject = RuntimeObject<ContainerSpec, ContainerStatus>;
export type TemplateObject = RuntimeObject<TemplateSpec, TemplateStatus>;
export type AlarmObject = RuntimeObject<AlarmSpec, AlarmStatus>;
export type DatastoreClusterObject = RuntimeObject<DatastoreClusterSpec, DatastoreClusterStatus>;

export interface ObjectInput {
  kind: Kind;
  name: string;
  spec: object;
  /** The generation last read: the write is refused with Conflict unless it is still the stored one. */
  generation?: number;
}

/** What `checkState` found: each check by name with its problems (none: it passed). */
export interface StateCheck {
  ok: boolean;
  checks: { name: string; problems: string[] }[];
}

export interface RuntimeOptions {
  /** SQLite file (":memory:" allowed). Default: POLYVISOR_STATE, else ./.polyvisor/state.db */
  path?: string;
  /** A running `polyvisor serve`. */
  url?: string;
  token?: string;
  /** A PostgreSQL connection string (default: POLYVISOR_POSTGRES when no path is given); its schema is the datacenter. */
  postgres?: string;
  /** Seed of the random source of a new state; the same seed gives the same events. Default 1. */
  seed?: number;
  /** false: a state that does not exist yet is refused (StateUnusableError) and nothing is created. Default true. */
  create?: boolean;
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
  /**
   * Advances the clock until the object's pending work has landed: a VM's migration or a container's
   * move in flight, a host's evacuation for maintenance. Bounded; refused with Conflict when an
   * evacuation stalls. Returns the settled object and what happened meanwhile.
   */
  settle(kind: Kind, name: string): Promise<SettleOutcome>;
  /** The whole state as one JSON-serializable document: objects, clock, random source, timers, events. */
  exportState(): Promise<StateDump>;
  /** Loads a document from exportState into an empty state; refused with Conflict otherwise, InvalidSpec when malformed. */
  importState(dump: unknown): Promise<void>;
  /** Runs the steps on an in-memory copy of the current state and reports what would happen; persists nothing. */
  whatIf(steps: WhatIfStep[]): Promise<WhatIfReport>;
  /**
   * Utilization recorded at each DRS pass: per host CPU and memory used and reserved, per cluster
   * imbalance and its target; a day at full resolution, then hourly means for 35 days.
   */
  history(query?: HistoryQuery): Promise<ClusterHistory[]>;
  /** Simulated time in seconds since the state was created. */
  now(): Promise<number>;
  /**
   * Checks the state without changing it: the storage's integrity and schema, every row readable,
   * every spec valid, usage equal to the sum over guests, timers consistent (`polyvisor state check`).
   */
  checkState(): Promise<StateCheck>;
  close(): Promise<void>;
}
