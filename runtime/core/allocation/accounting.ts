/**
 * Reservation accounting over hosts and the resource-pool tree (vSphere semantics, see
 * notes in docs/architecture.md):
 * - a pool's "reservation used" is the sum over its children of max(child reservation, child used);
 *   a VM child counts its reservation (memory: plus overhead);
 * - the cluster is the root pool: its reservation is the capacity of its usable hosts;
 * - a new reservation r fits pool P when r <= unreserved(P), where
 *   unreserved(P) = min(max(0, R - used) + (expandable ? unreserved(parent) : 0), limit - used).
 * Totals are kept up to date incrementally (charge*), so an operation costs the depth of the
 * tree, not the number of VMs; refreshCluster recomputes the figures that depend on ancestors.
 */
import { usableHostsOf } from "./usable-hosts";
import { refuse } from "../kernel/errors";
import type { ResourcePoolSpec } from "../../../schema/resource-pool";
import type { ClusterRecord, HostRecord, PoolRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import type { Footprint } from "../guests/vm-footprint";

export interface Amount {
  cpu: number;
  memory: number;
}
export const DIMENSIONS = ["cpu", "memory"] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const UNIT: Record<Dimension, string> = { cpu: "MHz", memory: "MB" };

const ZERO: Amount = { cpu: 0, memory: 0 };

export function poolReservation(spec: ResourcePoolSpec): Amount {
  return { cpu: spec.cpu.reservationMhz, memory: spec.memory.reservationMb };
}

/** Infinity where no limit is set. */
export function poolLimit(spec: ResourcePoolSpec): Amount {
  return { cpu: spec.cpu.limitMhz ?? Infinity, memory: spec.memory.limitMb ?? Infinity };
}

function poolExpandable(spec: ResourcePoolSpec, dim: Dimension): boolean {
  return spec[dim].expandableReservation;
}

export function poolUsed(pool: PoolRecord): Amount {
  return { cpu: pool.status.cpuReservationUsedMhz, memory: pool.status.memoryReservationUsedMb };
}

/** What a pool takes from its parent: max(reservation, reservation used), per dimension. */
export function poolClaim(reservation: Amount, used: Amount): Amount {
  return { cpu: Math.max(reservation.cpu, used.cpu), memory: Math.max(reservation.memory, used.memory) };
}

function isZero(a: Amount): boolean {
  return a.cpu === 0 && a.memory === 0;
}

function getPool(txn: Txn, name: string): PoolRecord {
  const pool = txn.get<PoolRecord>("ResourcePool", name);
  if (!pool) throw new Error(`internal: resource pool ${name} vanished`);
  return pool;
}

/** Adds (or with a negative delta releases) a reservation in a pool and carries the effect up to the cluster. */
export function chargeReservation(txn: Txn, cluster: string | null, pool: string | null, delta: Amount): void {
  let carry = delta;
  let current = pool;
  while (current !== null && !isZero(carry)) {
    const p = getPool(txn, current);
    const before = poolClaim(poolReservation(p.spec), poolUsed(p));
    const used = { cpu: p.status.cpuReservationUsedMhz + carry.cpu, memory: p.status.memoryReservationUsedMb + carry.memory };
    txn.put({ ...p, status: { ...p.status, cpuReservationUsedMhz: used.cpu, memoryReservationUsedMb: used.memory } });
    const after = poolClaim(poolReservation(p.spec), used);
    carry = { cpu: after.cpu - before.cpu, memory: after.memory - before.memory };
    current = p.spec.parent ?? null;
  }
  if (cluster !== null && !isZero(carry)) {
    const c = txn.get<ClusterRecord>("Cluster", cluster);
    if (!c) throw new Error(`internal: cluster ${cluster} vanished`);
    txn.put({
      ...c,
      status: {
        ...c.status,
        cpuReservationUsedMhz: c.status.cpuReservationUsedMhz + carry.cpu,
        memoryReservationUsedMb: c.status.memoryReservationUsedMb + carry.memory,
      },
    });
  }
}

/**
 * The host with a running VM's footprint added (sign 1) or removed (sign -1). Built field by field
 * rather than by spreading: every host then shares one object shape, which keeps the placement
 * loop over hosts fast.
 */
export function hostWithFootprint(host: HostRecord, f: Footprint, sign: 1 | -1): HostRecord {
  const s = host.status;
  return {
    kind: host.kind,
    name: host.name,
    spec: host.spec,
    status: {
      observedGeneration: s.observedGeneration,
      state: s.state,
      hypervisorVersion: s.hypervisorVersion,
      cpuCapacityMhz: s.cpuCapacityMhz,
      memoryCapacityMb: s.memoryCapacityMb,
      cpuReservedMhz: s.cpuReservedMhz + sign * (f.cpuReservationMhz + f.cpuOverheadReservedMhz),
      memoryReservedMb: s.memoryReservedMb + sign * f.memoryReservationMb,
      // Usage and entitlement move by the VM's uncontended figures; the usage refresh at the end of the step (settle.ts) divides contention exactly.
      cpuUsedMhz: s.cpuUsedMhz + sign * (f.cpuDemandMhz + f.cpuOverheadMhz),
      memoryUsedMb: s.memoryUsedMb + sign * f.memoryConsumedMb,
      cpuEntitlementMhz:
        s.cpuEntitlementMhz + sign * Math.max(f.cpuReservationMhz + f.cpuOverheadReservedMhz, f.cpuDemandMhz + f.cpuOverheadMhz),
      memoryEntitlementMb: s.memoryEntitlementMb + sign * Math.max(f.memoryReservationMb, f.memoryConsumedMb),
      vcpusCommitted: s.vcpusCommitted + sign * f.vcpus,
      memoryCommittedMb: s.memoryCommittedMb + sign * f.memoryMb,
      haFailoverHost: s.haFailoverHost === true,
      // Kept as it was until that refresh, as the VMs' usage figures were kept when they were stored.
      usageDivision: s.usageDivision,
    },
    generation: host.generation,
  };
}

/**
 * Charges (sign 1) or releases (sign -1) a footprint on its host only: a VM being live-migrated holds
 * its target host's share while its pools still count it once, where it runs. The host's usage is
 * divided again when the step ends.
 */
export function chargeHost(txn: Txn, f: Footprint, sign: 1 | -1): void {
  const host = txn.get<HostRecord>("Host", f.host);
  if (!host) throw new Error(`internal: host ${f.host} vanished`);
  txn.put(hostWithFootprint(host, f, sign));
  txn.markUnsettled(f.host);
}

/** Charges (sign 1) or releases (sign -1) a running VM on its host and in its pool chain. */
export function chargeFootprint(txn: Txn, f: Footprint, sign: 1 | -1): void {
  chargeHost(txn, f, sign);
  chargeReservation(txn, f.cluster, f.pool, { cpu: sign * f.cpuReservationMhz, memory: sign * f.memoryReservationMb });
}

/** Unreserved capacity of a pool (or of the cluster root when pool is null), per dimension. */
export function unreserved(txn: Txn, cluster: string, pool: string | null, memo?: Map<string, Amount>): Amount {
  if (pool === null) {
    const c = txn.get<ClusterRecord>("Cluster", cluster);
    if (!c) return ZERO;
    return {
      cpu: Math.max(0, c.status.cpuCapacityMhz - c.status.cpuReservationUsedMhz),
      memory: Math.max(0, c.status.memoryCapacityMb - c.status.memoryReservationUsedMb),
    };
  }
  const known = memo?.get(pool);
  if (known) return known;
  const p = getPool(txn, pool);
  const used = poolUsed(p);
  const reservation = poolReservation(p.spec);
  const limit = poolLimit(p.spec);
  const parent = DIMENSIONS.some((d) => poolExpandable(p.spec, d)) ? unreserved(txn, cluster, p.spec.parent ?? null, memo) : ZERO;
  const result = {} as Amount;
  for (const d of DIMENSIONS) {
    const own = Math.max(0, reservation[d] - used[d]) + (poolExpandable(p.spec, d) ? parent[d] : 0);
    result[d] = Math.max(0, Math.min(own, limit[d] - used[d]));
  }
  memo?.set(pool, result);
  return result;
}

/**
 * Refuses with InsufficientCapacity when `need` does not fit the unreserved capacity of the pool,
 * naming the level of the tree that runs short and showing the arithmetic.
 */
export function admitReservation(
  txn: Txn,
  subject: { kind: string; name: string },
  cluster: string,
  pool: string | null,
  need: Amount,
): void {
  const free = unreserved(txn, cluster, pool);
  const short = DIMENSIONS.filter((d) => need[d] > free[d]);
  if (short.length === 0) return;
  const field = short[0] === "cpu" ? "cpu.reservationMhz" : "memory.reservationMb";
  const lines = short.map((d) => `${d}: needs ${need[d]} ${UNIT[d]}, ${describeChain(txn, cluster, pool, d)}`);
  refuse(
    "InsufficientCapacity",
    { ...subject, field },
    `the reservation does not fit ${pool ? `resource pool ${pool}` : `cluster ${cluster}`}`,
    lines,
  );
}

/** "pool web has 1000 MHz unreserved of 4000 reserved (fixed); cluster prod has ..." */
function describeChain(txn: Txn, cluster: string, pool: string | null, dim: Dimension): string {
  const parts: string[] = [];
  let current = pool;
  while (current !== null) {
    const p = getPool(txn, current);
    const own = Math.max(0, poolReservation(p.spec)[dim] - poolUsed(p)[dim]);
    const limit = poolLimit(p.spec)[dim];
    const expandable = poolExpandable(p.spec, dim);
    parts.push(
      `pool ${p.name} has ${own} ${UNIT[dim]} of its own ${poolReservation(p.spec)[dim]} unreserved` +
        (Number.isFinite(limit) ? `, limit ${limit} with ${poolUsed(p)[dim]} used` : "") +
        (expandable ? " (expandable)" : " (fixed: cannot borrow)"),
    );
    if (!expandable) return parts.join("; ");
    current = p.spec.parent ?? null;
  }
  const c = txn.get<ClusterRecord>("Cluster", cluster);
  if (c) {
    const cap = dim === "cpu" ? c.status.cpuCapacityMhz : c.status.memoryCapacityMb;
    const used = dim === "cpu" ? c.status.cpuReservationUsedMhz : c.status.memoryReservationUsedMb;
    parts.push(`cluster ${cluster} has ${Math.max(0, cap - used)} ${UNIT[dim]} unreserved (capacity ${cap}, reserved ${used})`);
  }
  return parts.join("; ");
}

/**
 * Recomputes the cluster's capacity from its hosts and every pool's unreserved figures, writing
 * only what changed.
 */
export function refreshCluster(txn: Txn, cluster: string): void {
  const c = txn.get<ClusterRecord>("Cluster", cluster);
  if (!c) return;
  const { cpuMhz: cpuCapacityMhz, memoryMb: memoryCapacityMb } = usableHostsOf(txn, cluster);
  const cpuUnreservedMhz = Math.max(0, cpuCapacityMhz - c.status.cpuReservationUsedMhz);
  const memoryUnreservedMb = Math.max(0, memoryCapacityMb - c.status.memoryReservationUsedMb);
  const s = c.status;
  if (
    s.cpuCapacityMhz !== cpuCapacityMhz ||
    s.memoryCapacityMb !== memoryCapacityMb ||
    s.cpuUnreservedMhz !== cpuUnreservedMhz ||
    s.memoryUnreservedMb !== memoryUnreservedMb
  ) {
    txn.put({ ...c, status: { ...s, cpuCapacityMhz, memoryCapacityMb, cpuUnreservedMhz, memoryUnreservedMb } });
  }

  const memo = new Map<string, Amount>();
  for (const pool of txn.relatedObjects<PoolRecord>("poolsInCluster", cluster)) {
    const free = unreserved(txn, cluster, pool.name, memo);
    if (free.cpu !== pool.status.cpuUnreservedMhz || free.memory !== pool.status.memoryUnreservedMb) {
      txn.put({ ...pool, status: { ...pool.status, cpuUnreservedMhz: free.cpu, memoryUnreservedMb: free.memory } });
    }
  }
}

/**
 * Refuses an operation that would leave the cluster's reservations larger than the capacity of
 * its usable hosts (removing a host, shrinking one, entering maintenance).
 */
export function assertClusterCovers(txn: Txn, cluster: string, subject: { kind: string; name: string; field?: string }): void {
  const c = txn.get<ClusterRecord>("Cluster", cluster);
  if (!c) return;
  const s = c.status;
  const lines: string[] = [];
  if (s.cpuReservationUsedMhz > s.cpuCapacityMhz)
    lines.push(`cpu: ${s.cpuReservationUsedMhz} MHz reserved, ${s.cpuCapacityMhz} MHz would remain`);
  if (s.memoryReservationUsedMb > s.memoryCapacityMb)
    lines.push(`memory: ${s.memoryReservationUsedMb} MB reserved, ${s.memoryCapacityMb} MB would remain`);
  if (lines.length > 0) refuse("InsufficientCapacity", subject, `cluster ${cluster} could no longer hold its reservations`, lines);
}
