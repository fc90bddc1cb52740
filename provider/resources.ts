/** The Pulumi resource classes: thin wrappers that register a kind's spec with its dynamic provider. */
import * as pulumi from "@pulumi/pulumi";
import type { ManagedKind } from "../schema";
import type { AlarmSpecInput, AlarmSpec, AlarmStatus } from "../schema/alarm";
import type { ClusterSpecInput, ClusterSpec, ClusterStatus } from "../schema/cluster";
import type { ContainerSpecInput, ContainerSpec, ContainerStatus } from "../schema/container";
import type { DatastoreSpecInput, DatastoreSpec, DatastoreStatus } from "../schema/datastore";
import type { DatastoreClusterSpecInput, DatastoreClusterSpec, DatastoreClusterStatus } from "../schema/datastore-cluster";
import type { HostSpecInput, HostSpec, HostStatus } from "../schema/host";
import type { ResourcePoolSpecInput, ResourcePoolSpec, ResourcePoolStatus } from "../schema/resource-pool";
import type { TemplateSpecInput, TemplateSpec, TemplateStatus } from "../schema/template";
import type { RuleSpecInput, RuleSpec, RuleStatus } from "../schema/rule";
import type { VmSpecInput, VmSpec, VmStatus } from "../schema/virtual-machine";
import { dynamicProviderFor } from "./dynamic-provider";

/** Every field, at any depth, may be a Pulumi input (a value, a promise or an output). */
export type DeepInput<T> = T extends readonly (infer U)[]
  ? pulumi.Input<DeepInput<U>[]>
  : T extends object
    ? pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>
    : pulumi.Input<T>;

export type ArgsOf<S> = { [K in keyof S]: DeepInput<S[K]> } & {
  /** The object's name in the runtime; defaults to the Pulumi resource name. */
  name?: pulumi.Input<string>;
};

type OutputsOf<S> = { readonly [K in keyof S]-?: pulumi.Output<S[K]> };

/** One shared provider object per kind: a new object per resource would be serialized again each time. */
const providers = new Map<ManagedKind, pulumi.dynamic.ResourceProvider>();
function providerFor(kind: ManagedKind): pulumi.dynamic.ResourceProvider {
  let p = providers.get(kind);
  if (!p) providers.set(kind, (p = dynamicProviderFor(kind)));
  return p;
}

/** The arguments of pulumi.dynamic.Resource: output-only properties are registered as undefined. */
function registration(
  kind: ManagedKind,
  name: string,
  args: object,
  opts: pulumi.CustomResourceOptions | undefined,
  extraOutputs: string[],
) {
  const props: Record<string, unknown> = { ...args, name: (args as { name?: unknown }).name ?? name, status: undefined };
  for (const key of extraOutputs) props[key] = undefined;
  return [providerFor(kind), name, props, opts, "polyvisor", kind] as const;
}

export type ClusterArgs = ArgsOf<ClusterSpecInput>;
export interface Cluster extends OutputsOf<ClusterSpec> {}
export class Cluster extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<ClusterStatus>;
  constructor(name: string, args: ClusterArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(...registration("Cluster", name, args, opts, []));
  }
}

export type HostArgs = ArgsOf<HostSpecInput>;
export interface Host extends OutputsOf<HostSpec> {}
export class Host extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<HostStatus>;
  constructor(name: string, args: HostArgs, opts?: pulumi.CustomResourceOptions) {
    super(...registration("Host", name, args, opts, []));
  }
}

export type DatastoreArgs = ArgsOf<DatastoreSpecInput>;
export interface Datastore extends OutputsOf<DatastoreSpec> {}
export class Datastore extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<DatastoreStatus>;
  constructor(name: string, args: DatastoreArgs, opts?: pulumi.CustomResourceOptions) {
    super(...registration("Datastore", name, args, opts, []));
  }
}

export type ResourcePoolArgs = ArgsOf<ResourcePoolSpecInput>;
export interface ResourcePool extends OutputsOf<ResourcePoolSpec> {}
export class ResourcePool extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<ResourcePoolStatus>;
  constructor(name: string, args: ResourcePoolArgs, opts?: pulumi.CustomResourceOptions) {
    super(...registration("ResourcePool", name, args, opts, []));
  }
}

export type VirtualMachineArgs = ArgsOf<VmSpecInput>;
export interface VirtualMachine extends OutputsOf<VmSpec> {}
export class VirtualMachine extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<VmStatus>;
  /** Where the VM runs now (null while powered off); DRS and HA may change it. */
  declare readonly currentHost: pulumi.Output<string | null>;
  constructor(name: string, args: VirtualMachineArgs, opts?: pulumi.CustomResourceOptions) {
    super(...registration("VirtualMachine", name, args, opts, ["currentHost"]));
  }
}

export type RuleArgs = ArgsOf<RuleSpecInput>;
export interface Rule extends OutputsOf<RuleSpec> {}
/** A DRS rule: VM-VM affinity or anti-affinity, or VMs that must/should (not) run on a set of hosts. */
export class Rule extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<RuleStatus>;
  constructor(name: string, args: RuleArgs, opts?: pulumi.CustomResourceOptions) {
    super(...registration("Rule", name, args, opts, []));
  }
}

export type TemplateArgs = ArgsOf<TemplateSpecInput>;
export interface Template extends OutputsOf<TemplateSpec> {}
/** A container template: an OS template to create containers from, or an app template to add to them. */
export class Template extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<TemplateStatus>;
  constructor(name: string, args: TemplateArgs, opts?: pulumi.CustomResourceOptions) {
    super(...registration("Template", name, args, opts, []));
  }
}

export type ContainerArgs = ArgsOf<ContainerSpecInput>;
export interface Container extends OutputsOf<ContainerSpec> {}
/** An OS-level container (OpenVZ/Virtuozzo container, Solaris zone) sharing its host's kernel. */
export class Container extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<ContainerStatus>;
  /** Where the container runs now (null while stopped); HA may change it. */
  declare readonly currentHost: pulumi.Output<string | null>;
  constructor(name: string, args: ContainerArgs, opts?: pulumi.CustomResourceOptions) {
    super(...registration("Container", name, args, opts, ["currentHost"]));
  }
}

export type AlarmArgs = ArgsOf<AlarmSpecInput>;
export interface Alarm extends OutputsOf<AlarmSpec> {}
/** An alarm on a cluster, host, datastore or VM metric, raised and cleared on the simulated clock. */
export class Alarm extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<AlarmStatus>;
  constructor(name: string, args: AlarmArgs, opts?: pulumi.CustomResourceOptions) {
    super(...registration("Alarm", name, args, opts, []));
  }
}

export type DatastoreClusterArgs = ArgsOf<DatastoreClusterSpecInput>;
export interface DatastoreCluster extends OutputsOf<DatastoreClusterSpec> {}
/** A datastore cluster: datastores pooled for disk placement (a disk's datastoreCluster) and Storage DRS. */
export class DatastoreCluster extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly status: pulumi.Output<DatastoreClusterStatus>;
  constructor(name: string, args: DatastoreClusterArgs, opts?: pulumi.CustomResourceOptions) {
    super(...registration("DatastoreCluster", name, args, opts, []));
  }
}
