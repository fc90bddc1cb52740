import { z } from "zod";
import { AlarmSpec } from "./alarm";
import { ClusterSpec } from "./cluster";
import { ContainerSpec } from "./container";
import { DatastoreSpec } from "./datastore";
import { DatastoreClusterSpec } from "./datastore-cluster";
import { HostSpec } from "./host";
import { ResourcePoolSpec } from "./resource-pool";
import { RuleSpec } from "./rule";
import { TemplateSpec } from "./template";
import { VmSpec } from "./virtual-machine";

export * from "./alarm";
export * from "./common";
export * from "./cluster";
export * from "./container";
export * from "./datastore";
export * from "./datastore-cluster";
export * from "./host";
export * from "./resource-pool";
export * from "./rule";
export * from "./template";
export * from "./virtual-machine";

/** Every kind of the public contract. */
export const KINDS = [
  "Cluster",
  "Host",
  "Datastore",
  "ResourcePool",
  "VirtualMachine",
  "Container",
  "Template",
  "Rule",
  "Alarm",
  "DatastoreCluster",
] as const;
export const Kind = z.enum(KINDS);
export type Kind = z.infer<typeof Kind>;

/** The spec schema of each kind this version of the runtime manages. */
export const SPEC_SCHEMAS = {
  Cluster: ClusterSpec,
  Host: HostSpec,
  Datastore: DatastoreSpec,
  ResourcePool: ResourcePoolSpec,
  VirtualMachine: VmSpec,
  Container: ContainerSpec,
  Template: TemplateSpec,
  Rule: RuleSpec,
  Alarm: AlarmSpec,
  DatastoreCluster: DatastoreClusterSpec,
} as const satisfies Partial<Record<Kind, z.ZodType>>;
export type ManagedKind = keyof typeof SPEC_SCHEMAS;

export function isManagedKind(kind: string): kind is ManagedKind {
  return Object.hasOwn(SPEC_SCHEMAS, kind);
}
