/** `polyvisor`: Pulumi resources for the built-in virtualization runtime. */
export * from "./resources";
export { ContainerFarm, type ContainerFarmArgs, farmMemberNames } from "./container-farm";
export type { AlarmStatus } from "../schema/alarm";
export type { ClusterStatus } from "../schema/cluster";
export type { ContainerStatus } from "../schema/container";
export type { DatastoreStatus } from "../schema/datastore";
export type { DatastoreClusterStatus } from "../schema/datastore-cluster";
export type { HostStatus } from "../schema/host";
export type { ResourcePoolStatus } from "../schema/resource-pool";
export type { RuleStatus } from "../schema/rule";
export type { TemplateStatus } from "../schema/template";
export type { VmStatus } from "../schema/virtual-machine";
