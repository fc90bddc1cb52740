import type { Runtime } from "../../runtime";
import type { ClusterObject, ContainerObject, DatastoreObject, HostObject, VirtualMachineObject } from "../../runtime";
import type { DatastoreClusterObject } from "../../runtime";
import { type Cli, examples } from "../context";
import { formatSeconds, table } from "../format";
import { renderContainers } from "./container-status";
import { renderHaStatus } from "./ha-status";
import { renderDatastoreClusters, renderDatastores } from "./storage-status";

export async function inventory(rt: Runtime) {
  return {
    timeSeconds: await rt.now(),
    clusters: (await rt.list("Cluster")) as ClusterObject[],
    hosts: (await rt.list("Host")) as HostObject[],
    datastores: (await rt.list("Datastore")) as DatastoreObject[],
    datastoreClusters: (await rt.list("DatastoreCluster")) as DatastoreClusterObject[],
    pools: await rt.list("ResourcePool"),
    vms: (await rt.list("VirtualMachine")) as VirtualMachineObject[],
    containers: (await rt.list("Container")) as ContainerObject[],
  };
}

export function renderStatus(inv: Awaited<ReturnType<typeof inventory>>): string {
  const out: string[] = [`Simulated time ${formatSeconds(inv.timeSeconds)}`];
  if (inv.clusters.length > 0) {
    out.push(
      "",
      table(
        ["CLUSTER", "HOSTS", "CPU MHz", "CPU RESERVED", "MEM MB", "MEM RESERVED", "DRS", "HA"],
        inv.clusters.map((c) => [
          c.name,
          c.status.hosts.length,
          c.status.cpuCapacityMhz,
          c.status.cpuReservationUsedMhz,
          c.status.memoryCapacityMb,
          c.status.memoryReservationUsedMb,
          c.spec.drs.enabled ? c.spec.drs.automationLevel : "off",
          c.spec.ha.enabled ? "on" : "off",
        ]),
      ),
    );
  }
  const storage = [renderDatastores(inv.datastores), renderDatastoreClusters(inv.datastoreClusters)];
  for (const section of [renderHaStatus(inv.clusters), ...storage]) if (section) out.push("", section);
  if (inv.hosts.length > 0) {
    out.push(
      "",
      table(
        ["HOST", "CLUSTER", "HYPERVISOR", "STATE", "CPU MHz", "CPU RESERVED", "CPU USED", "MEM MB", "MEM RESERVED", "MEM USED", "VMS"],
        inv.hosts.map((h) => [
          h.name,
          h.spec.cluster ?? "-",
          `${h.spec.hypervisor} ${h.status.hypervisorVersion}`,
          h.status.state,
          h.status.cpuCapacityMhz,
          h.status.cpuReservedMhz,
          h.status.cpuUsedMhz,
          h.status.memoryCapacityMb,
          h.status.memoryReservedMb,
          h.status.memoryUsedMb,
          h.status.vms.length,
        ]),
      ),
    );
  }
  if (inv.vms.length > 0) {
    out.push(
      "",
      table(
        [
          "VM",
          "CLUSTER",
          "POOL",
          "POWER",
          "HOST",
          "MODE",
          "VCPUS",
          "MEM MB",
          "MEM RESERVED",
          "CPU DEMAND",
          "CPU ENTITLED",
          "CPU USED",
          "MEM ENTITLED",
          "MEM USED",
        ],
        inv.vms.map((v) => [
          v.name,
          v.status.cluster ?? "-",
          v.spec.pool ?? "-",
          v.status.haRestart ? `${v.status.powerState} (${v.status.haRestart.state})` : v.status.powerState,
          v.status.migration
            ? `${v.status.migration.fromHost} -> ${v.status.migration.toHost} (${v.status.migration.kind})`
            : (v.status.currentHost ?? "-"),
          v.status.virtualization ? `${v.status.virtualization}/${v.status.paging}` : "-",
          v.spec.vcpus,
          v.spec.memoryMb,
          v.spec.memory.reservationMb,
          v.status.cpuDemandMhz,
          v.status.cpuEntitlementMhz,
          v.status.cpuUsedMhz,
          v.status.memoryEntitlementMb,
          v.status.memoryUsedMb,
        ]),
      ),
    );
  }
  const containers = renderContainers(inv.containers);
  if (containers) out.push("", containers);
  if (inv.clusters.length + inv.hosts.length + inv.vms.length + inv.containers.length === 0) out.push("", "The state is empty.");
  return out.join("\n");
}

export function registerStatus(cli: Cli): void {
  examples(
    cli.program.command("status").description("clusters, hosts, VMs and containers, with where each runs"),
    "polyvisor status",
    "polyvisor --json status | jq '.vms[] | {name, host: .status.currentHost}'",
  ).action(() => cli.withRuntime(async (rt) => cli.emit(await inventory(rt), renderStatus), { create: false }));
}
