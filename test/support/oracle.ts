/**
 * Reservation figures recomputed from scratch, straight from the vSphere definitions, to check the
 * runtime's incrementally maintained totals against.
 */
import type { ClusterObject, HostObject, ResourcePoolObject, RuntimeObject, VirtualMachineObject } from "../../runtime";

export interface Inventory {
  clusters: ClusterObject[];
  hosts: HostObject[];
  pools: ResourcePoolObject[];
  vms: VirtualMachineObject[];
}

export function asInventory(objects: {
  Cluster: RuntimeObject[];
  Host: RuntimeObject[];
  ResourcePool: RuntimeObject[];
  VirtualMachine: RuntimeObject[];
}): Inventory {
  return {
    clusters: objects.Cluster as ClusterObject[],
    hosts: objects.Host as HostObject[],
    pools: objects.ResourcePool as ResourcePoolObject[],
    vms: objects.VirtualMachine as VirtualMachineObject[],
  };
}

const running = (vm: VirtualMachineObject) => vm.status.powerState === "on" && vm.status.currentHost !== null;
const vmCpu = (vm: VirtualMachineObject) => vm.spec.cpu.reservationMhz;
/** The overhead a running VM reserves is its status's, which the hypervisor profile of its host decided. */
const vmMem = (vm: VirtualMachineObject) => vm.spec.memory.reservationMb + vm.status.overheadMemoryMb;
/** On a host, the CPU reservation also carries the hypervisor's CPU overhead for delivering it. */
const hostCpu = (vm: VirtualMachineObject) => vmCpu(vm) + vm.status.overheadCpuReservedMhz;
/** A live migration's target holds the VM's reservations with the target's overhead. */
const incomingCpu = (vm: VirtualMachineObject) => vmCpu(vm) + Math.ceil((vm.status.migration!.targetOverheadCpuPercent * vmCpu(vm)) / 100);
const incomingMem = (vm: VirtualMachineObject) => vm.spec.memory.reservationMb + vm.status.migration!.targetOverheadMemoryMb;

/** Reservation used of a pool: sum over children of max(child reservation, child used). */
export function poolUsed(inv: Inventory, pool: string): { cpu: number; memory: number } {
  const used = { cpu: 0, memory: 0 };
  for (const vm of inv.vms) {
    if (vm.spec.pool === pool && running(vm)) {
      used.cpu += vmCpu(vm);
      used.memory += vmMem(vm);
    }
  }
  for (const child of inv.pools) {
    if (child.spec.parent === pool) {
      const u = poolUsed(inv, child.name);
      used.cpu += Math.max(child.spec.cpu.reservationMhz, u.cpu);
      used.memory += Math.max(child.spec.memory.reservationMb, u.memory);
    }
  }
  return used;
}

export function clusterUsed(inv: Inventory, cluster: string): { cpu: number; memory: number } {
  const used = { cpu: 0, memory: 0 };
  for (const vm of inv.vms) {
    if (vm.status.cluster === cluster && vm.spec.pool === undefined && running(vm)) {
      used.cpu += vmCpu(vm);
      used.memory += vmMem(vm);
    }
  }
  for (const p of inv.pools) {
    if (p.spec.cluster === cluster && p.spec.parent === undefined) {
      const u = poolUsed(inv, p.name);
      used.cpu += Math.max(p.spec.cpu.reservationMhz, u.cpu);
      used.memory += Math.max(p.spec.memory.reservationMb, u.memory);
    }
  }
  return used;
}

export function hostReserved(inv: Inventory, host: string): { cpu: number; memory: number; vms: string[] } {
  const vms = inv.vms.filter((vm) => running(vm) && vm.status.currentHost === host);
  const incoming = inv.vms.filter((vm) => vm.status.migration?.kind === "live" && vm.status.migration.toHost === host);
  return {
    cpu: vms.reduce((s, vm) => s + hostCpu(vm), 0) + incoming.reduce((s, vm) => s + incomingCpu(vm), 0),
    memory: vms.reduce((s, vm) => s + vmMem(vm), 0) + incoming.reduce((s, vm) => s + incomingMem(vm), 0),
    vms: vms.map((vm) => vm.name).sort(),
  };
}

/** Every mismatch between the stored totals and the recomputed ones, as readable lines. */
export function accountingMismatches(inv: Inventory): string[] {
  const problems: string[] = [];
  const check = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      problems.push(`${what}: stored ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };
  for (const h of inv.hosts) {
    const r = hostReserved(inv, h.name);
    check(`host ${h.name} reserved`, [h.status.cpuReservedMhz, h.status.memoryReservedMb, h.status.vms], [r.cpu, r.memory, r.vms]);
  }
  for (const p of inv.pools) {
    const u = poolUsed(inv, p.name);
    check(`pool ${p.name} used`, [p.status.cpuReservationUsedMhz, p.status.memoryReservationUsedMb], [u.cpu, u.memory]);
  }
  for (const c of inv.clusters) {
    const u = clusterUsed(inv, c.name);
    check(`cluster ${c.name} used`, [c.status.cpuReservationUsedMhz, c.status.memoryReservationUsedMb], [u.cpu, u.memory]);
  }
  return problems;
}
