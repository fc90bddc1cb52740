/** VirtualMachine: a guest with its own kernel, placed on a host of its cluster when powered on. */
import { VmSpec } from "../../../schema/virtual-machine";
import { chargeFootprint, refreshCluster } from "../allocation/accounting";
import { importedDisks } from "../storage/disk-image-facts";
import { refuse } from "../kernel/errors";
import { enforceHaAdmission } from "../ha/admission-check";
import { reconcileHaRestarts } from "../ha/restarts";
import type { ClusterRecord, HostRecord, PoolRecord, VmRecord } from "../kernel/model";
import { groupMemberRequest, mandatoryGroup, whyMemberStays } from "../vms/group-moves";
import { describeRejections, fits, place, refusalCode } from "../placement/framework";
import { DEFAULT_PROFILE } from "../placement/profile";
import { vmPlacementRequest } from "../placement/vm-request";
import { rulesNaming } from "../rules/lookup";
import { placeVmDisks } from "../storage/datastore-clusters";
import { chargeDisks } from "../storage/disks";
import { placedSpec, placedVmSpec } from "../storage/placed-disks";
import { describeDisksOn, relocatedDisks, unmountedDatastores } from "../storage/visibility";
import type { Txn } from "../kernel/txn";
import { abortStorageMigration } from "../vms/storage-migration";
import { abortMigration, coldMigrateVm, migrateVm } from "../vms/vm-moves";
import { admitVm, powerOnAt } from "../vms/vm-power-on";
import { currentFootprint } from "../guests/vm-footprint";
import { initialStatus, stoppedStatus, withCdrom } from "../vms/vm-status";
import { refuseIfDependents, requireExisting, requireReference } from "./common";
import { defineKind } from "./define-kind";
import { nextVmRestart } from "../ha/restart-state";
import type { StoredVmStatus } from "../kernel/model";

interface VmRefs {
  cluster: string | null;
  pinned: HostRecord | null;
}

const at = (name: string, field: string) => ({ kind: "VirtualMachine" as const, name, field });
const vmSubject = (name: string) => ({ kind: "VirtualMachine" as const, name });

/** Checks every reference of the spec and works out the VM's cluster. */
function resolveRefs(txn: Txn, name: string, spec: VmSpec): VmRefs {
  if (spec.cluster !== undefined) requireReference<ClusterRecord>(txn, at(name, "cluster"), "Cluster", spec.cluster);
  const pinned = spec.host === undefined ? null : requireReference<HostRecord>(txn, at(name, "host"), "Host", spec.host);
  if (pinned && spec.cluster !== undefined && pinned.spec.cluster !== spec.cluster) {
    refuse(
      "InvalidSpec",
      at(name, "host"),
      `host ${pinned.name} is ${pinned.spec.cluster ? `in cluster ${pinned.spec.cluster}` : "standalone"}, not in cluster ${spec.cluster}`,
    );
  }
  const cluster = spec.cluster ?? pinned?.spec.cluster ?? null;
  if (spec.pool !== undefined) {
    const pool = requireReference<PoolRecord>(txn, at(name, "pool"), "ResourcePool", spec.pool);
    if (pool.spec.cluster !== cluster)
      refuse("InvalidSpec", at(name, "pool"), `pool ${pool.name} belongs to cluster ${pool.spec.cluster}, not ${cluster}`);
  }
  return { cluster, pinned };
}

/**
 * Which datastores a datastore-cluster disk may be placed on: those mounted by the host the VM runs
 * on, else by its pinned host, else by a host of its cluster (any, for a standalone unpinned VM).
 */
function reachableFrom(txn: Txn, refs: VmRefs, current: string | null): (datastore: string) => boolean {
  const hosts =
    current !== null
      ? [txn.get<HostRecord>("Host", current)!]
      : refs.pinned
        ? [refs.pinned]
        : refs.cluster === null
          ? null
          : txn.relatedObjects<HostRecord>("hostsInCluster", refs.cluster);
  return (ds) => hosts === null || hosts.some((h) => h.spec.datastores.includes(ds));
}

/**
 * The host the VM runs on after this change. A running VM stays where it runs: a changed pin moves it
 * afterwards by live migration, so here it only has to fit its current host (pin aside). A VM being
 * powered on is placed by the placement profile among its candidates.
 */
function chooseHost(txn: Txn, name: string, spec: VmSpec, refs: VmRefs, current: string | null): { host: HostRecord; how: string } {
  if (current !== null) {
    const here = txn.get<HostRecord>("Host", current)!;
    const req = vmPlacementRequest(txn, name, spec, refs.cluster, "reconfigure");
    if (here.spec.cluster !== (refs.cluster ?? undefined)) {
      refuse(
        "Conflict",
        at(name, "cluster"),
        `the VM runs on ${current}, which is not in cluster ${refs.cluster}; power it off to move it`,
      );
    }
    if (!fits(DEFAULT_PROFILE, req, here)) {
      const result = place(DEFAULT_PROFILE, req, [here]);
      const rejections = result.placed ? [] : result.rejections;
      refuse(
        refusalCode(rejections),
        vmSubject(name),
        `the change does not fit ${current}, where the VM runs; power it off to place it again`,
        describeRejections(rejections),
      );
    }
    return { host: here, how: "stays" };
  }
  const req = vmPlacementRequest(txn, name, spec, refs.cluster, "powerOn");
  const candidates = refs.pinned
    ? [refs.pinned]
    : refs.cluster === null
      ? []
      : txn.relatedObjects<HostRecord>("hostsInCluster", refs.cluster);
  if (candidates.length === 0) refuse("InsufficientCapacity", at(name, "cluster"), `cluster ${refs.cluster} has no hosts to run the VM`);
  const result = place(DEFAULT_PROFILE, req, candidates);
  if (!result.placed) {
    refuse(
      refusalCode(result.rejections),
      refs.pinned ? at(name, "host") : vmSubject(name),
      `no host can run the VM (${candidates.length} considered)`,
      describeRejections(result.rejections),
    );
  }
  const scores = Object.entries(result.breakdown)
    .map(([plugin, s]) => `${plugin} ${s.toFixed(1)}`)
    .join(", ");
  return {
    host: txn.get<HostRecord>("Host", result.host)!,
    how: `score ${result.score.toFixed(1)} (${scores}); ${result.feasible} of ${result.candidates} hosts feasible`,
  };
}

/**
 * A running VM whose pin now names another host goes there by live migration, which needs shared
 * storage: the target must mount every datastore of the VM, and take it. The VMs mandatory affinity
 * rules keep with it on its host go too, each under the same checks, or nothing moves (group-moves.ts).
 */
function livePinMove(txn: Txn, name: string, spec: VmSpec, cluster: string | null, from: string, target: HostRecord): void {
  const group = cluster === null ? [name] : mandatoryGroup(txn, cluster, name, from);
  const withGroup = group.length > 1 ? ` with its mandatory affinity group (${group.join(", ")})` : "";
  for (const member of group) {
    const record = txn.get<VmRecord>("VirtualMachine", member)!;
    const memberSpec = member === name ? spec : placedVmSpec(record);
    const blocked = member === name ? undefined : whyMemberStays(record, target.name);
    if (blocked) refuse("Conflict", at(name, "host"), `cannot live-migrate from ${from} to ${target.name}${withGroup}: ${blocked}`);
    const missing = unmountedDatastores(memberSpec, target.spec.datastores);
    if (missing.length > 0) {
      refuse(
        "Conflict",
        at(name, "host"),
        `cannot live-migrate ${member === name ? "" : `${member} `}from ${from} to ${target.name}${withGroup}: live migration needs shared storage, and ${target.name} does not mount ${missing.join(", ")}; power the VM off and move those disks to a datastore ${target.name} mounts to cold-migrate it`,
        describeDisksOn(memberSpec, missing),
      );
    }
    const req =
      cluster === null
        ? vmPlacementRequest(txn, member, memberSpec, cluster, "migration")
        : groupMemberRequest(txn, member, memberSpec, cluster, group, target.name);
    // The target as earlier members left it: each holds its reservations there from the start.
    const result = place(DEFAULT_PROFILE, req, [txn.get<HostRecord>("Host", target.name)!]);
    if (!result.placed) {
      refuse(
        refusalCode(result.rejections),
        at(name, "host"),
        `cannot live-migrate ${member === name ? "" : `${member} `}from ${from} to ${target.name}${withGroup}`,
        describeRejections(result.rejections),
      );
    }
    const message =
      member === name
        ? `pinned host changed from ${from} to ${target.name}`
        : `moves with ${name} from ${from} to ${target.name}: mandatory affinity group ${group.join(", ")}`;
    migrateVm(txn, member, target.name, { reason: "MigrationStarted", message });
  }
}

/**
 * A powered-off VM whose pin now names another host moves cold: the disks the change relocates to
 * another datastore are copied; the target must mount every datastore the VM then uses.
 */
function coldPinMove(txn: Txn, name: string, before: VmSpec, spec: VmSpec, from: string, target: HostRecord): void {
  const missing = unmountedDatastores(spec, target.spec.datastores);
  if (missing.length > 0) {
    refuse(
      "Incompatible",
      at(name, "host"),
      `cannot move the VM from ${from} to ${target.name}: ${target.name} does not mount ${missing.join(", ")}; move those disks to a datastore ${target.name} mounts in the same change to cold-migrate them`,
      describeDisksOn(spec, missing),
    );
  }
  coldMigrateVm(txn, name, from, target.name, relocatedDisks(before, spec));
}

function cdromEvent(txn: Txn, name: string, before: string | null, after: string | null): void {
  if (before === after) return;
  if (after === null) txn.emit("VirtualMachine", name, "CdromEjected", `ISO ${before} ejected from the CD drive`);
  else txn.emit("VirtualMachine", name, "CdromMounted", `ISO ${after} mounted in the CD drive${before ? ` (replacing ${before})` : ""}`);
}

export const virtualMachineHandler = defineKind<VmSpec, VmRecord, VmRefs>({
  kind: "VirtualMachine",
  schema: VmSpec,
  resolve: resolveRefs,
  write(txn, { name, spec, existing, generation, refs, inputs, announce }) {
    const inFlight = existing?.status.migration;
    if (inFlight) {
      refuse(
        "Conflict",
        vmSubject(name),
        `a ${inFlight.kind} migration from ${inFlight.fromHost} to ${inFlight.toHost} is in progress until t=${inFlight.completesAtSeconds.toFixed(1)} s; let it finish (advance the clock) before changing the VM`,
      );
    }
    const storageInFlight = existing?.status.storageMigration;
    if (storageInFlight) {
      refuse(
        "Conflict",
        vmSubject(name),
        `a storage migration of its disks from ${storageInFlight.fromDatastore} to ${storageInFlight.toDatastore} is in progress until t=${storageInFlight.completesAtSeconds.toFixed(1)} s; let it finish (advance the clock) before changing the VM`,
      );
    }

    const before = existing ? currentFootprint(existing) : null;
    if (before) chargeFootprint(txn, before, -1);
    const previous = existing?.status ?? initialStatus(refs.cluster);
    const imported = importedDisks(name, spec, inputs?.diskImages, previous.importedDisks);
    const diskDatastores = placeVmDisks(
      txn,
      name,
      { spec, importedDisks: imported },
      existing ? { spec: existing.spec, diskDatastores: existing.status.diskDatastores } : null,
      reachableFrom(txn, refs, before?.host ?? null),
    );
    const { diskDatastores: _previousPlacement, ...kept } = withCdrom(previous, spec);
    let status: StoredVmStatus = {
      ...kept,
      observedGeneration: generation,
      cluster: refs.cluster,
      importedDisks: imported,
      ...(spec.disks.some((d) => d.datastoreCluster !== undefined) ? { diskDatastores } : {}),
    };
    // The spec as placed (every disk naming its datastore) is what storage and placement read.
    const placed = placedSpec(spec, diskDatastores);
    chargeDisks(txn, name, existing ? { spec: placedVmSpec(existing), importedDisks: previous.importedDisks } : null, {
      spec: placed,
      importedDisks: status.importedDisks,
    });

    announce(
      `${spec.vcpus} vCPU, ${spec.memoryMb} MB, ${spec.guestOs} ${spec.guestArch}${refs.cluster ? ` in cluster ${refs.cluster}` : ""}${spec.pool ? `, pool ${spec.pool}` : ""}`,
    );
    for (const d of status.importedDisks) {
      if (!previous.importedDisks.some((p) => p.disk === d.disk && p.source === d.source)) {
        txn.emit(
          "VirtualMachine",
          name,
          "DiskImported",
          `disk ${d.disk} imported from ${d.source}: ${d.sizeBytes} bytes (${d.sizeGb} GB), partition table ${d.partitionTable}${d.partitions.length ? `: ${d.partitions.map((p) => `${p.index} ${p.typeName} ${p.sizeMb} MB${p.bootable ? " (boot)" : ""}`).join(", ")}` : ""}`,
        );
      }
    }
    cdromEvent(txn, name, previous.cdrom, status.cdrom);

    const pinTarget = before && refs.pinned && refs.pinned.name !== before.host ? refs.pinned : null;
    if (spec.powerState === "on") {
      // The memory overhead depends on the host: admitted without it before placement, with it after.
      admitVm(txn, name, spec, refs.cluster, 0);
      const choice = chooseHost(txn, name, placed, refs, before?.host ?? null);
      status = powerOnAt(txn, name, spec, refs.cluster, choice.host, status);
      if (!before) {
        // Powered on by the user: HA owes it no restart any more.
        status = { ...status, haRestart: nextVmRestart(name, status.haRestart, null) };
        txn.emit("VirtualMachine", name, "Placed", `placed on ${choice.host.name}: ${choice.how}`);
        txn.emit(
          "VirtualMachine",
          name,
          "PoweredOn",
          `powered on with ${status.virtualizationReason}; reserved ${spec.cpu.reservationMhz + status.overheadCpuReservedMhz} MHz, ${spec.memory.reservationMb + status.overheadMemoryMb} MB including ${status.overheadCpuReservedMhz} MHz and ${status.overheadMemoryMb} MB overhead`,
        );
      }
    } else {
      status = stoppedStatus(status);
      if (before) txn.emit("VirtualMachine", name, "PoweredOff", `powered off on ${before.host}`);
    }

    const applied = txn.put<VmRecord>({ kind: "VirtualMachine", name, spec, status, generation });
    enforceHaAdmission(txn, existing, applied);
    if (spec.powerState === "on" && before && pinTarget) livePinMove(txn, name, placed, refs.cluster, before.host, pinTarget);
    const oldPin = existing?.spec.host;
    if (existing && spec.powerState === "off" && oldPin !== undefined && refs.pinned && refs.pinned.name !== oldPin)
      coldPinMove(txn, name, placedVmSpec(existing), placed, oldPin, refs.pinned);
    for (const c of new Set([existing?.status.cluster ?? null, refs.cluster])) {
      if (c === null) continue;
      refreshCluster(txn, c);
      reconcileHaRestarts(txn, c);
    }
  },

  delete(txn, name) {
    const vm = requireExisting<VmRecord>(txn, "VirtualMachine", name);
    if (vm.status.cluster !== null)
      refuseIfDependents(
        "VirtualMachine",
        name,
        rulesNaming(txn, vm.status.cluster, name).map((r) => `Rule ${r.name}`),
      );
    refuseIfDependents(
      "VirtualMachine",
      name,
      txn.related("datastoreClustersNamingVm", name).map((c) => `DatastoreCluster ${c} (anti-affinity rule)`),
    );
    if (vm.status.migration) abortMigration(txn, name, "the VM is being deleted");
    if (vm.status.storageMigration) abortStorageMigration(txn, name, "the VM is being deleted");
    const before = currentFootprint(vm);
    if (before) {
      chargeFootprint(txn, before, -1);
      txn.emit("VirtualMachine", name, "PoweredOff", `powered off on ${before.host}`);
    }
    chargeDisks(txn, name, { spec: placedVmSpec(vm), importedDisks: vm.status.importedDisks }, null);
    txn.remove("VirtualMachine", name);
    txn.emit("VirtualMachine", name, "Deleted", "virtual machine deleted");
    if (vm.status.cluster !== null) {
      refreshCluster(txn, vm.status.cluster);
      reconcileHaRestarts(txn, vm.status.cluster);
    }
  },
});
