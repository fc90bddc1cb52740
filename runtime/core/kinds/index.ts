import type { ManagedKind } from "../../../schema";
import { alarmHandler } from "./alarm";
import { clusterHandler } from "./cluster";
import { containerHandler } from "./container";
import type { KindHandler } from "./common";
import { datastoreHandler } from "./datastore";
import { datastoreClusterHandler } from "./datastore-cluster";
import { hostHandler } from "./host";
import { resourcePoolHandler } from "./resource-pool";
import { ruleHandler } from "./rule";
import { templateHandler } from "./template";
import { virtualMachineHandler } from "./virtual-machine";

export const HANDLERS: Record<ManagedKind, KindHandler> = {
  Cluster: clusterHandler,
  Host: hostHandler,
  Datastore: datastoreHandler,
  ResourcePool: resourcePoolHandler,
  VirtualMachine: virtualMachineHandler,
  Container: containerHandler,
  Template: templateHandler,
  Rule: ruleHandler,
  Alarm: alarmHandler,
  DatastoreCluster: datastoreClusterHandler,
};
