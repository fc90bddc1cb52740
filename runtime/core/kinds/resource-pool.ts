/** ResourcePool: a node of a cluster's resource tree with shares, a reservation and a limit per resource. */
import { ResourcePoolSpec } from "../../../schema/resource-pool";
import {
  type Amount,
  DIMENSIONS,
  UNIT,
  admitReservation,
  chargeReservation,
  poolClaim,
  poolLimit,
  poolReservation,
  refreshCluster,
} from "../allocation/accounting";
import { refuse } from "../kernel/errors";
import type { PoolRecord, StoredPoolStatus } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { refuseIfDependents, requireExisting, requireReference } from "./common";
import { defineKind } from "./define-kind";

function emptyStatus(generation: number): StoredPoolStatus {
  return {
    observedGeneration: generation,
    cpuReservationUsedMhz: 0,
    cpuUnreservedMhz: 0,
    memoryReservationUsedMb: 0,
    memoryUnreservedMb: 0,
  };
}

const FIELD = {
  cpu: { reservation: "cpu.reservationMhz", limit: "cpu.limitMhz" },
  memory: { reservation: "memory.reservationMb", limit: "memory.limitMb" },
} as const;

function validateParent(txn: Txn, name: string, spec: ResourcePoolSpec): void {
  if (spec.parent === undefined) return;
  const from = { kind: "ResourcePool", name, field: "parent" } as const;
  const parent = requireReference<PoolRecord>(txn, from, "ResourcePool", spec.parent);
  if (parent.spec.cluster !== spec.cluster)
    refuse("InvalidSpec", from, `pool ${spec.parent} belongs to cluster ${parent.spec.cluster}, not ${spec.cluster}`);
  for (let p: PoolRecord | undefined = parent; p; p = p.spec.parent ? txn.get<PoolRecord>("ResourcePool", p.spec.parent) : undefined) {
    if (p.name === name) refuse("InvalidSpec", from, `pool ${spec.parent} is inside ${name}: a pool cannot be its own ancestor`);
  }
}

/** The children's reservations must stay within a fixed reservation and within the limit. */
function validateOwnReservation(name: string, spec: ResourcePoolSpec, used: Amount): void {
  const reservation = poolReservation(spec);
  const limit = poolLimit(spec);
  for (const d of DIMENSIONS) {
    if (!spec[d].expandableReservation && used[d] > reservation[d]) {
      refuse(
        "InsufficientCapacity",
        { kind: "ResourcePool", name, field: FIELD[d].reservation },
        `children reserve ${used[d]} ${UNIT[d]}, more than the fixed reservation of ${reservation[d]} ${UNIT[d]}`,
      );
    }
    if (used[d] > limit[d]) {
      refuse(
        "InsufficientCapacity",
        { kind: "ResourcePool", name, field: FIELD[d].limit },
        `children reserve ${used[d]} ${UNIT[d]}, more than the limit of ${limit[d]} ${UNIT[d]}`,
      );
    }
  }
}

function negate(a: Amount): Amount {
  return { cpu: -a.cpu, memory: -a.memory };
}

function children(txn: Txn, name: string): string[] {
  return [
    ...txn.related("poolsInPool", name).map((p) => `ResourcePool ${p}`),
    ...txn.related("vmsInPool", name).map((vm) => `VirtualMachine ${vm}`),
  ];
}

export const resourcePoolHandler = defineKind<ResourcePoolSpec, PoolRecord>({
  kind: "ResourcePool",
  schema: ResourcePoolSpec,
  resolve(txn, name, spec) {
    requireReference(txn, { kind: "ResourcePool", name, field: "cluster" }, "Cluster", spec.cluster);
    validateParent(txn, name, spec);
  },
  write(txn, { name, spec, existing, generation, announce }) {
    const status = existing ? { ...existing.status, observedGeneration: generation } : emptyStatus(generation);
    if (existing && existing.spec.cluster !== spec.cluster && children(txn, name).length > 0) {
      refuse(
        "Conflict",
        { kind: "ResourcePool", name, field: "cluster" },
        "the pool still has children; move them before changing its cluster",
        children(txn, name),
      );
    }
    const used = { cpu: status.cpuReservationUsedMhz, memory: status.memoryReservationUsedMb };
    validateOwnReservation(name, spec, used);

    // Move the pool's claim on its parent: release the old one, then admit and charge the new one.
    if (existing) {
      chargeReservation(txn, existing.spec.cluster, existing.spec.parent ?? null, negate(poolClaim(poolReservation(existing.spec), used)));
    }
    const claim = poolClaim(poolReservation(spec), used);
    admitReservation(txn, { kind: "ResourcePool", name }, spec.cluster, spec.parent ?? null, claim);
    txn.put<PoolRecord>({ kind: "ResourcePool", name, spec, status, generation });
    chargeReservation(txn, spec.cluster, spec.parent ?? null, claim);

    announce(
      `pool created under ${spec.parent ? `pool ${spec.parent}` : `cluster ${spec.cluster}`} reserving ${spec.cpu.reservationMhz} MHz and ${spec.memory.reservationMb} MB`,
    );
    if (existing && existing.spec.cluster !== spec.cluster) refreshCluster(txn, existing.spec.cluster);
    refreshCluster(txn, spec.cluster);
  },

  delete(txn, name) {
    const pool = requireExisting<PoolRecord>(txn, "ResourcePool", name);
    refuseIfDependents("ResourcePool", name, children(txn, name));
    const used = { cpu: pool.status.cpuReservationUsedMhz, memory: pool.status.memoryReservationUsedMb };
    chargeReservation(txn, pool.spec.cluster, pool.spec.parent ?? null, negate(poolClaim(poolReservation(pool.spec), used)));
    txn.remove("ResourcePool", name);
    txn.emit("ResourcePool", name, "Deleted", "pool deleted");
    refreshCluster(txn, pool.spec.cluster);
  },
});
