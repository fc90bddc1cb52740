/**
 * The Pulumi resource classes, one per kind, made from one table: each registers its kind's spec with
 * the kind's dynamic provider. What a program sees per kind (the args it passes, the spec fields and
 * status it reads back) comes from the kind's schema types in KindTypes.
 */
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
import { KIND_TRAITS } from "./kinds";

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

/** Per kind: the spec a program writes (defaults optional), the spec as the runtime completes it, and the status. */
export interface KindTypes {
  Cluster: { input: ClusterSpecInput; spec: ClusterSpec; status: ClusterStatus };
  Host: { input: HostSpecInput; spec: HostSpec; status: HostStatus };
  Datastore: { input: DatastoreSpecInput; spec: DatastoreSpec; status: DatastoreStatus };
  ResourcePool: { input: ResourcePoolSpecInput; spec: ResourcePoolSpec; status: ResourcePoolStatus };
  VirtualMachine: { input: VmSpecInput; spec: VmSpec; status: VmStatus };
  Rule: { input: RuleSpecInput; spec: RuleSpec; status: RuleStatus };
  Template: { input: TemplateSpecInput; spec: TemplateSpec; status: TemplateStatus };
  Container: { input: ContainerSpecInput; spec: ContainerSpec; status: ContainerStatus };
  Alarm: { input: AlarmSpecInput; spec: AlarmSpec; status: AlarmStatus };
  DatastoreCluster: { input: DatastoreClusterSpecInput; spec: DatastoreClusterSpec; status: DatastoreClusterStatus };
}

/** The kinds whose outputs carry `currentHost` (KIND_TRAITS.exposesCurrentHost). */
type RunsOnAHost = "VirtualMachine" | "Container";

/** A kind's resource: its spec fields, its name and status as outputs, and where it runs for a VM or a container. */
export type KindResource<K extends ManagedKind> = pulumi.dynamic.Resource &
  OutputsOf<KindTypes[K]["spec"]> & {
    readonly name: pulumi.Output<string>;
    readonly status: pulumi.Output<KindTypes[K]["status"]>;
  } & (K extends RunsOnAHost
    ? {
        /** Where the VM or container runs now (null while it does not run); DRS and HA may change it. */
        readonly currentHost: pulumi.Output<string | null>;
      }
    : unknown);

/** The args are optional where every field of the kind has a default (a Cluster). */
type ConstructorArgs<A> =
  Partial<A> extends A ? [args?: A, opts?: pulumi.CustomResourceOptions] : [args: A, opts?: pulumi.CustomResourceOptions];

/** A kind's resource class: `new Kind(name, args, opts)`, with the static members of pulumi.dynamic.Resource. */
export type KindResourceClass<K extends ManagedKind> = Pick<typeof pulumi.dynamic.Resource, keyof typeof pulumi.dynamic.Resource> &
  (new (
    name: string,
    ...rest: ConstructorArgs<ArgsOf<KindTypes[K]["input"]>>
  ) => KindResource<K>);

/** One shared provider object per kind: a new object per resource would be serialized again each time. */
const providers = new Map<ManagedKind, pulumi.dynamic.ResourceProvider>();
function providerFor(kind: ManagedKind): pulumi.dynamic.ResourceProvider {
  let p = providers.get(kind);
  if (!p) providers.set(kind, (p = dynamicProviderFor(kind)));
  return p;
}

/** The class of one kind: output-only properties are registered as undefined, so the engine fills them. */
function resourceClass<K extends ManagedKind>(kind: K): KindResourceClass<K> {
  const outputOnly = KIND_TRAITS[kind].exposesCurrentHost ? ["status", "currentHost"] : ["status"];
  const cls = class extends pulumi.dynamic.Resource {
    constructor(name: string, args: { name?: unknown } = {}, opts?: pulumi.CustomResourceOptions) {
      const props: Record<string, unknown> = { ...args, name: args.name ?? name };
      for (const key of outputOnly) props[key] = undefined;
      super(providerFor(kind), name, props, opts, "polyvisor", kind);
    }
  };
  Object.defineProperty(cls, "name", { value: kind });
  return cls as unknown as KindResourceClass<K>;
}

export const Cluster = resourceClass("Cluster");
export type Cluster = KindResource<"Cluster">;
export type ClusterArgs = ArgsOf<ClusterSpecInput>;

export const Host = resourceClass("Host");
export type Host = KindResource<"Host">;
export type HostArgs = ArgsOf<HostSpecInput>;

export const Datastore = resourceClass("Datastore");
export type Datastore = KindResource<"Datastore">;
export type DatastoreArgs = ArgsOf<DatastoreSpecInput>;

export const ResourcePool = resourceClass("ResourcePool");
export type ResourcePool = KindResource<"ResourcePool">;
export type ResourcePoolArgs = ArgsOf<ResourcePoolSpecInput>;

export const VirtualMachine = resourceClass("VirtualMachine");
export type VirtualMachine = KindResource<"VirtualMachine">;
export type VirtualMachineArgs = ArgsOf<VmSpecInput>;

/** A DRS rule: VM-VM affinity or anti-affinity, or VMs that must/should (not) run on a set of hosts. */
export const Rule = resourceClass("Rule");
export type Rule = KindResource<"Rule">;
export type RuleArgs = ArgsOf<RuleSpecInput>;

/** A container template: an OS template to create containers from, or an app template to add to them. */
export const Template = resourceClass("Template");
export type Template = KindResource<"Template">;
export type TemplateArgs = ArgsOf<TemplateSpecInput>;

/** An OS-level container (OpenVZ/Virtuozzo container, Solaris zone) sharing its host's kernel. */
export const Container = resourceClass("Container");
export type Container = KindResource<"Container">;
export type ContainerArgs = ArgsOf<ContainerSpecInput>;

/** An alarm on a cluster, host, datastore or VM metric, raised and cleared on the simulated clock. */
export const Alarm = resourceClass("Alarm");
export type Alarm = KindResource<"Alarm">;
export type AlarmArgs = ArgsOf<AlarmSpecInput>;

/** A datastore cluster: datastores pooled for disk placement (a disk's datastoreCluster) and Storage DRS. */
export const DatastoreCluster = resourceClass("DatastoreCluster");
export type DatastoreCluster = KindResource<"DatastoreCluster">;
export type DatastoreClusterArgs = ArgsOf<DatastoreClusterSpecInput>;
