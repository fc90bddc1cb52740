/**
 * Entitlements of a cluster's running VMs: the capacity of its connected hosts divvied over the
 * resource-pool tree (allocateTree) by shares, reservations, limits and demand, per resource.
 */
import { type Amount, DIMENSIONS, type Dimension, poolLimit, poolReservation } from "../accounting";
import type { PoolRecord, VmRecord } from "../model";
import type { Txn } from "../txn";
import { type AllocationNode, allocateTree } from "./tree";
import { poolShares } from "./shares";
import { vmClaims } from "./vm-claims";

const vmId = (name: string) => `vm/${name}`;

function vmNode(vm: VmRecord, dim: Dimension): AllocationNode {
  return { id: vmId(vm.name), ...vmClaims(vm)[dim] };
}

/** The tree for one resource: pools with their VMs and sub-pools, and the VMs outside any pool. */
function buildTree(pools: readonly PoolRecord[], vms: readonly VmRecord[], dim: Dimension): AllocationNode[] {
  const vmsByPool = new Map<string | null, VmRecord[]>();
  for (const vm of vms) {
    const key = vm.spec.pool ?? null;
    if (!vmsByPool.has(key)) vmsByPool.set(key, []);
    vmsByPool.get(key)!.push(vm);
  }
  const poolsByParent = new Map<string | null, PoolRecord[]>();
  for (const p of pools) {
    const key = p.spec.parent ?? null;
    if (!poolsByParent.has(key)) poolsByParent.set(key, []);
    poolsByParent.get(key)!.push(p);
  }
  const childrenOf = (parent: string | null): AllocationNode[] => [
    ...(poolsByParent.get(parent) ?? []).map(
      (p): AllocationNode => ({
        id: `pool/${p.name}`,
        shares: poolShares(p.spec[dim].shares, dim),
        reservation: poolReservation(p.spec)[dim],
        limit: poolLimit(p.spec)[dim],
        children: childrenOf(p.name),
      }),
    ),
    ...(vmsByPool.get(parent) ?? []).map((vm) => vmNode(vm, dim)),
  ];
  return childrenOf(null);
}

/** Entitlement per running VM of the cluster (unrounded), for a cluster capacity. */
export function clusterEntitlements(txn: Txn, cluster: string, capacity: Amount, vms: readonly VmRecord[]): Map<string, Amount> {
  const pools = txn.relatedObjects<PoolRecord>("poolsInCluster", cluster);
  const byDim = {} as Record<Dimension, Map<string, number>>;
  for (const dim of DIMENSIONS) byDim[dim] = allocateTree(capacity[dim], buildTree(pools, vms, dim));
  const out = new Map<string, Amount>();
  for (const vm of vms) out.set(vm.name, { cpu: byDim.cpu.get(vmId(vm.name))!, memory: byDim.memory.get(vmId(vm.name))! });
  return out;
}
