/**
 * Divvying a capacity down a resource-pool tree: siblings divide their parent's allocation with
 * `divide`, level by level (Gulati et al., VMware Technical Journal 2012, section on entitlements).
 * A pool asks for what its subtree can use: its children's ceilings summed, within its own
 * reservation and limit; it is guaranteed max(its reservation, its children's reservations), since an
 * expandable pool's children may reserve more than the pool itself.
 */
import { type Claim, ceilingOf, divide } from "./divide";

export interface AllocationNode {
  id: string;
  shares: number;
  reservation: number;
  limit: number;
  /** A leaf's demand; a pool's comes from its children. */
  demand?: number;
  children?: readonly AllocationNode[];
}

interface Prepared {
  node: AllocationNode;
  claim: Claim;
  children: Prepared[];
}

function prepare(node: AllocationNode): Prepared {
  const children = (node.children ?? []).map(prepare);
  if (node.children === undefined) {
    return { node, children, claim: { shares: node.shares, reservation: node.reservation, limit: node.limit, demand: node.demand ?? 0 } };
  }
  let demand = 0;
  let reserved = 0;
  for (const c of children) {
    demand += ceilingOf(c.claim);
    reserved += c.claim.reservation;
  }
  return { node, children, claim: { shares: node.shares, reservation: Math.max(node.reservation, reserved), limit: node.limit, demand } };
}

/** The allocation of every node (leaves and pools) under a root of `capacity`, by node id. */
export function allocateTree(capacity: number, roots: readonly AllocationNode[]): Map<string, number> {
  const result = new Map<string, number>();
  const level = (amount: number, nodes: Prepared[]) => {
    const shares = divide(
      amount,
      nodes.map((n) => n.claim),
    );
    nodes.forEach((n, i) => {
      result.set(n.node.id, shares[i]);
      if (n.children.length > 0) level(shares[i], n.children);
    });
  };
  level(capacity, roots.map(prepare));
  return result;
}
