/**
 * Entitlements of a cluster's running VMs: the capacity of its connected hosts divvied over the
 * resource-pool tree (allocateTree) by shares, reservations, limits and demand, per resource.
 */
import { type Amount, DIMENSIONS, type Dimension, poolLimit, poolReservation } from "./accounting";
import type { PoolRecord, VmRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { divide } from "./divide";
import { type AllocationNode, allocateTree } from "./tree";
import { poolShares } from "./shares";
import type { VmClaims } from "./vm-claims";

/** VM names cannot contain "/", so a VM's id is its name and a pool's cannot collide with it. */
const vmId = (name: string) => name;

/** The tree for one resource: pools with their VMs and sub-pools, and the VMs outside any pool. */
function buildTree(pools: readonly PoolRecord[], vms: readonly VmRecord[], claims: readonly VmClaims[], dim: Dimension): AllocationNode[] {
  const vmsByPool = new Map<string | null, AllocationNode[]>();
  vms.forEach((vm, i) => {
    const key = vm.spec.pool ?? null;
    if (!vmsByPool.has(key)) vmsByPool.set(key, []);
    vmsByPool.get(key)!.push({ id: vmId(vm.name), ...claims[i][dim] });
  });
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
    ...(vmsByPool.get(parent) ?? []),
  ];
  return childrenOf(null);
}

/** Entitlements (unrounded) of the cluster's running `vms`, whose claims are `claims`: per resource, in the same order. */
export function clusterEntitlements(
  txn: Txn,
  cluster: string,
  capacity: Amount,
  vms: readonly VmRecord[],
  claims: readonly VmClaims[],
): Record<Dimension, number[]> {
  const pools = txn.relatedObjects<PoolRecord>("poolsInCluster", cluster);
  if (pools.length === 0) {
    // No pools: one level of siblings, divided without building a tree.
    return {
      cpu: divide(
        capacity.cpu,
        claims.map((c) => c.cpu),
      ),
      memory: divide(
        capacity.memory,
        claims.map((c) => c.memory),
      ),
    };
  }
  const entitlements = {} as Record<Dimension, number[]>;
  for (const dim of DIMENSIONS) {
    const allocated = allocateTree(capacity[dim], buildTree(pools, vms, claims, dim));
    entitlements[dim] = vms.map((vm) => allocated.get(vmId(vm.name))!);
  }
  return entitlements;
}
