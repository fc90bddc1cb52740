/** `polyvisor`: Pulumi resources for the built-in virtualization runtime. */
export * from "./resources";
export type { ClusterStatus } from "../schema/cluster";
export type { DatastoreStatus } from "../schema/datastore";
export type { HostStatus } from "../schema/host";
export type { ResourcePoolStatus } from "../schema/resource-pool";
export type { RuleStatus } from "../schema/rule";
export type { VmStatus } from "../schema/virtual-machine";
