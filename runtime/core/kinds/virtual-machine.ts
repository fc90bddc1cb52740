/** VirtualMachine: a guest with its own kernel, placed on a host of its cluster when powered on. */
import { VmSpec, VmStatus } from "../../../schema/virtual-machine";
import { admitReservation, chargeFootprint, refreshCluster } from "../accounting";
import { resolveMode } from "../compatibility";
import { refuse } from "../errors";
import { enforceHaAdmission } from "../ha/admission-check";
import { reconcileHaRestarts } from "../ha/restarts";
import type { ClusterRecord, HostRecord, PoolRecord, VmRecord } from "../model";
import { describeRejections, fits, place, placementRequest, refusalCode } from "../placement/framework";
import { DEFAULT_PROFILE } from "../placement/profile";
import { chargeDisks } from "../storage/disks";
import type { Txn } from "../txn";
import { movedStatus } from "../vm-moves";
import { Footprint, currentFootprint, footprintOf, overheadMb } from "../vm-resources";
import { KindHandler, describeChanges, guardMode, parseSpec, requireExisting, requireReference, sameSpec } from "./common";

interface VmRefs {
  cluster: string | null;
  pinned: HostRecord | null;
}

/** Checks every reference of the spec and works out the VM's cluster. */
function resolveRefs(txn: Txn, name: string, spec: VmSpec): VmRefs {
  const at = (field: string) => ({ kind: "VirtualMachine" as const, name, field });
  if (spec.cluster !== undefined) requireReference<ClusterRecord>(txn, at("cluster"), "Cluster", spec.cluster);
  const pinned = spec.host === undefined ? null : requireReference<HostRecord>(txn, at("host"), "Host", spec.host);
  if (pinned && spec.cluster !== undefined && pinned.spec.cluster !== spec.cluster) {
    refuse("InvalidSpec", at("host"), `host ${pinned.name} is ${pinned.spec.cluster ? `in cluster ${pinned.spec.cluster}` : "standalone"}, not in cluster ${spec.cluster}`);
  }
  const cluster = spec.cluster ?? pinned?.spec.cluster ?? null;
  if (spec.pool !== undefined) {
    const pool = requireReference<PoolRecord>(txn, at("pool"), "ResourcePool", spec.pool);
    if (pool.spec.cluster !== cluster) refuse("InvalidSpec", at("pool"), `pool ${pool.name} belongs to cluster ${pool.spec.cluster}, not ${cluster}`);
  }
  return { cluster, pinned };
}

/**
 * The host the VM should run on: it stays where it runs while that host still passes every
 * filter (reconfiguring never moves a VM needlessly); otherwise the placement profile decides.
 */
function chooseHost(txn: Txn, name: string, spec: VmSpec, refs: VmRefs, current: string | null): { host: string; how: string } {
  const overhead = overheadMb(spec);
  const req = placementRequest(name, spec, spec.cpu.reservationMhz, spec.memory.reservationMb + overhead);
  const candidates = refs.pinned
    ? [txn.get<HostRecord>("Host", refs.pinned.name)!]
    : refs.cluster === null
      ? []
      : txn.relatedObjects<HostRecord>("hostsInCluster", refs.cluster);
  if (current !== null) {
    const here = candidates.find((h) => h.name === current);
    if (here && fits(DEFAULT_PROFILE, req, here)) return { host: current, how: "stays" };
  }
  if (candidates.length === 0) {
    refuse("InsufficientCapacity", { kind: "VirtualMachine", name, field: "cluster" }, `cluster ${refs.cluster} has no hosts to run the VM`);
  }
  const result = place(DEFAULT_PROFILE, req, candidates);
  if (!result.placed) {
    refuse(refusalCode(result.rejections), { kind: "VirtualMachine", name, field: refs.pinned ? "host" : undefined }, `no host can run the VM (${candidates.length} considered)`, describeRejections(result.rejections));
  }
  const scores = Object.entries(result.breakdown).map(([plugin, s]) => `${plugin} ${s.toFixed(1)}`).join(", ");
  return { host: result.host, how: `score ${result.score.toFixed(1)} (${scores}); ${result.feasible} of ${result.candidates} hosts feasible` };
}

/** The status of a VM running on `host` with footprint `f`; HA restarts reuse it. */
export function runningStatus(base: VmStatus, spec: VmSpec, f: Footprint, host: HostRecord): VmStatus {
  return {
    ...base,
    currentHost: f.host,
    powerState: "on",
    virtualization: resolveMode(host.spec, spec) ?? null,
    overheadMemoryMb: overheadMb(spec),
    cpuEntitlementMhz: Math.max(f.cpuReservationMhz, f.cpuDemandMhz),
    memoryEntitlementMb: Math.max(f.memoryReservationMb, f.memoryConsumedMb),
    cpuUsedMhz: f.cpuDemandMhz,
    haRestart: null,
  };
}

export function stoppedStatus(base: VmStatus): VmStatus {
  return { ...base, currentHost: null, powerState: "off", virtualization: null, cpuEntitlementMhz: 0, memoryEntitlementMb: 0, cpuUsedMhz: 0, haRestart: null };
}

function initialStatus(spec: VmSpec, cluster: string | null): VmStatus {
  return {
    observedGeneration: 1,
    cluster,
    currentHost: null,
    powerState: "off",
    virtualization: null,
    overheadMemoryMb: overheadMb(spec),
    cpuEntitlementMhz: 0,
    memoryEntitlementMb: 0,
    cpuUsedMhz: 0,
    migrations: 0,
    lastMigration: null,
    haRestart: null,
  };
}

export const virtualMachineHandler: KindHandler = {
  apply(txn, name, raw, mode) {
    const spec = parseSpec("VirtualMachine", name, VmSpec, raw);
    const existing = txn.get<VmRecord>("VirtualMachine", name);
    guardMode("VirtualMachine", name, existing, mode);
    const refs = resolveRefs(txn, name, spec);
    if (existing && sameSpec(existing.spec, spec)) return existing;

    const generation = existing ? existing.generation + 1 : 1;
    chargeDisks(txn, name, existing?.spec ?? null, spec);
    const before = existing ? currentFootprint(existing) : null;
    if (before) chargeFootprint(txn, before, -1);
    let status: VmStatus = { ...(existing?.status ?? initialStatus(spec, refs.cluster)), observedGeneration: generation, cluster: refs.cluster };

    if (existing) txn.emit("VirtualMachine", name, "Updated", describeChanges(existing.spec, spec).join("; "));
    else txn.emit("VirtualMachine", name, "Created", `${spec.vcpus} vCPU, ${spec.memoryMb} MB, ${spec.guestOs} ${spec.guestArch}${refs.cluster ? ` in cluster ${refs.cluster}` : ""}${spec.pool ? `, pool ${spec.pool}` : ""}`);

    if (spec.powerState === "on") {
      if (refs.cluster !== null) {
        admitReservation(txn, { kind: "VirtualMachine", name }, refs.cluster, spec.pool ?? null, {
          cpu: spec.cpu.reservationMhz,
          memory: spec.memory.reservationMb + overheadMb(spec),
        });
      }
      const choice = chooseHost(txn, name, spec, refs, before?.host ?? null);
      const f = footprintOf(spec, choice.host, refs.cluster);
      chargeFootprint(txn, f, 1);
      status = runningStatus(status, spec, f, txn.get<HostRecord>("Host", choice.host)!);
      if (before && before.host !== choice.host) {
        status = movedStatus(status, before.host, choice.host);
        txn.emit("VirtualMachine", name, "Migrated", `moved from ${before.host} to ${choice.host}: ${choice.how}`);
      } else if (!before) {
        txn.emit("VirtualMachine", name, "Placed", `placed on ${choice.host}: ${choice.how}`);
        txn.emit("VirtualMachine", name, "PoweredOn", `powered on with ${status.virtualization} virtualization; reserved ${f.cpuReservationMhz} MHz, ${f.memoryReservationMb} MB including ${status.overheadMemoryMb} MB overhead`);
      }
    } else {
      status = stoppedStatus(status);
      if (before) txn.emit("VirtualMachine", name, "PoweredOff", `powered off on ${before.host}`);
    }

    const applied = txn.put<VmRecord>({ kind: "VirtualMachine", name, spec, status, generation });
    enforceHaAdmission(txn, existing, applied);
    for (const c of new Set([existing?.status.cluster ?? null, refs.cluster])) {
      if (c === null) continue;
      refreshCluster(txn, c);
      reconcileHaRestarts(txn, c);
    }
    return txn.get<VmRecord>("VirtualMachine", name)!;
  },

  delete(txn, name) {
    const vm = requireExisting<VmRecord>(txn, "VirtualMachine", name);
    const before = currentFootprint(vm);
    if (before) {
      chargeFootprint(txn, before, -1);
      txn.emit("VirtualMachine", name, "PoweredOff", `powered off on ${before.host}`);
    }
    chargeDisks(txn, name, vm.spec, null);
    txn.remove("VirtualMachine", name);
    txn.emit("VirtualMachine", name, "Deleted", "virtual machine deleted");
    if (vm.status.cluster !== null) {
      refreshCluster(txn, vm.status.cluster);
      reconcileHaRestarts(txn, vm.status.cluster);
    }
  },
};
