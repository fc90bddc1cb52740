/**
 * Storage DRS's periodic pass over a datastore cluster (vSphere 5.0+; "Understanding vSphere Storage
 * DRS", VMware technical white paper): a member whose used space exceeds `spaceThresholdPercent` has
 * VMs' disks moved off it, a VM's disks in the cluster together (intra-VM affinity), to the member left
 * least used, provided the target stays within the threshold and ends at least 5 percentage points
 * below the source (StorageDrsSpaceLoadBalanceConfig.minSpaceUtilizationDifference, default 5).
 * VM anti-affinity rules are corrected first and never broken by a move.
 * fullyAutomated starts the storage migrations; manual lists them in status. The I/O latency
 * threshold is not acted on: the model has no I/O load to measure latency from.
 */
import type { StorageDrsMove } from "../../../schema/datastore-cluster";
import type { DatastoreClusterRecord, DatastoreRecord, HostRecord, VmRecord } from "../kernel/records";
import { STORAGE_DRS_PASS_TASK, type TimerTaskHandler, schedule } from "../kernel/timers";
import type { Txn } from "../kernel/txn";
import { disksIn, peerDatastores, ruleViolations, sizeOfDisks } from "../storage/datastore-clusters";
import { tidyGb } from "../storage/disks";
import { placedVmSpec } from "../storage/placed-disks";
import { startStorageMigration } from "../vms/storage-migration";

/** Percentage points a move must leave between source and target (vSphere's minSpaceUtilizationDifference default). */
const MIN_SPACE_DIFFERENCE_PERCENT = 5;

/** (Re)schedules the datastore cluster's periodic pass one interval from now. */
export function scheduleStorageDrsPass(txn: Txn, name: string, intervalSeconds: number): void {
  txn.cancelTimers((t) => t.task === STORAGE_DRS_PASS_TASK && t.name === name);
  schedule(txn, txn.clockSeconds + intervalSeconds, STORAGE_DRS_PASS_TASK, { kind: "DatastoreCluster", name });
}

export function cancelStorageDrsPass(txn: Txn, name: string): void {
  txn.cancelTimers((t) => t.task === STORAGE_DRS_PASS_TASK && t.name === name);
}

interface Candidate {
  vm: VmRecord;
  disks: number[];
  sizeGb: number;
}

/** The VMs whose disks in the cluster sit on `datastore` and may move now (no migration of any kind under way). */
function candidatesOn(txn: Txn, pod: string, datastore: string): Candidate[] {
  const found: Candidate[] = [];
  for (const vm of txn.relatedObjects<VmRecord>("vmsOnDatastoreCluster", pod)) {
    if (vm.status.storageMigration || vm.status.migration) continue;
    const disks = disksIn(vm.spec, pod);
    const placed = placedVmSpec(vm);
    if (disks.length === 0 || placed.disks[disks[0]].datastore !== datastore) continue;
    found.push({ vm, disks, sizeGb: sizeOfDisks({ spec: placed, importedDisks: vm.status.importedDisks }, disks) });
  }
  // Largest first, so that the fewest moves bring the source under its threshold; ties by name.
  return found.sort((a, b) => b.sizeGb - a.sizeGb || (a.vm.name < b.vm.name ? -1 : 1));
}

/**
 * Whether the VM could still reach the datastore after the move: mounted by the host it runs on, else
 * by the host it is pinned to, else by a host of its cluster (initial placement's rule, kinds/virtual-machine.ts).
 */
function reachableFor(txn: Txn, vm: VmRecord, datastore: string): boolean {
  const host = vm.status.currentHost ?? vm.spec.host;
  if (host !== undefined) return txn.get<HostRecord>("Host", host)?.spec.datastores.includes(datastore) ?? false;
  if (vm.status.cluster === null) return true;
  return txn.relatedObjects<HostRecord>("hostsInCluster", vm.status.cluster).some((h) => h.spec.datastores.includes(datastore));
}

type PlannedMove = StorageDrsMove & { disks: number[] };

/**
 * The pass's plan: first the moves that end anti-affinity violations (every VM of a rule but the first
 * by name sharing a datastore goes to a member holding none of its peers), then the moves that bring
 * the members over the space threshold back under it, as far as the others can take them. No VM moves
 * twice, and no move lands a VM's disks beside a rule peer's or takes a target over the threshold.
 */
export function planStorageMoves(txn: Txn, pod: DatastoreClusterRecord): PlannedMove[] {
  const threshold = pod.spec.storageDrs.spaceThresholdPercent;
  const used = new Map<string, { usedGb: number; capacityGb: number }>();
  for (const name of pod.spec.datastores) {
    const ds = txn.get<DatastoreRecord>("Datastore", name);
    if (ds) used.set(name, { usedGb: ds.status.usedGb, capacityGb: ds.spec.capacityGb });
  }
  const percent = (name: string, deltaGb = 0) => {
    const u = used.get(name)!;
    return ((u.usedGb + deltaGb) / u.capacityGb) * 100;
  };
  const planned = new Map<string, string>();
  const moves: PlannedMove[] = [];

  /** The member to move the candidate to (least used after it), or undefined. */
  const target = (c: Candidate, source: string, minDifference: number) => {
    const avoid = peerDatastores(txn, pod, c.vm.name, planned);
    let best: { name: string; after: number } | undefined;
    for (const name of [...used.keys()].sort()) {
      if (name === source || avoid.has(name) || !reachableFor(txn, c.vm, name)) continue;
      const u = used.get(name)!;
      if (u.capacityGb - u.usedGb < c.sizeGb) continue;
      const after = percent(name, c.sizeGb);
      if (after > threshold || percent(source) - after < minDifference) continue;
      if (!best || after < best.after) best = { name, after };
    }
    return best;
  };
  const move = (c: Candidate, source: string, to: { name: string; after: number }, reason: string) => {
    used.get(source)!.usedGb = tidyGb(used.get(source)!.usedGb - c.sizeGb);
    used.get(to.name)!.usedGb = tidyGb(used.get(to.name)!.usedGb + c.sizeGb);
    planned.set(c.vm.name, to.name);
    moves.push({ vm: c.vm.name, fromDatastore: source, toDatastore: to.name, sizeGb: c.sizeGb, disks: c.disks, reason });
  };

  for (const v of ruleViolations(txn, pod)) {
    const movable = new Map(candidatesOn(txn, pod.name, v.datastore).map((c) => [c.vm.name, c]));
    for (const name of v.vms.slice(1)) {
      const c = movable.get(name);
      const to = c && !planned.has(name) ? target(c, v.datastore, Number.NEGATIVE_INFINITY) : undefined;
      if (c && to) move(c, v.datastore, to, `anti-affinity rule ${v.rule}: ${v.vms.join(", ")} share ${v.datastore}`);
    }
  }
  const sources = [...used.keys()].filter((n) => percent(n) > threshold).sort((a, b) => percent(b) - percent(a) || (a < b ? -1 : 1));
  for (const source of sources) {
    for (const c of candidatesOn(txn, pod.name, source)) {
      if (percent(source) <= threshold) break;
      if (planned.has(c.vm.name)) continue;
      const to = target(c, source, MIN_SPACE_DIFFERENCE_PERCENT);
      if (!to) continue;
      const before = percent(source);
      move(
        c,
        source,
        to,
        `${source} is ${before.toFixed(1)}% used, over the ${threshold}% threshold; ${to.name} would be ${to.after.toFixed(1)}%`,
      );
    }
  }
  return moves;
}

/** One Storage DRS pass over the datastore cluster: start the moves (fullyAutomated) or recommend them (manual). */
export function runStorageDrsPass(txn: Txn, name: string): void {
  const pod = txn.get<DatastoreClusterRecord>("DatastoreCluster", name);
  if (!pod) return;
  const planned = planStorageMoves(txn, pod);
  const moves = planned.map(({ disks: _disks, ...move }) => move);
  const automated = pod.spec.storageDrs.automationLevel === "fullyAutomated";
  if (automated) {
    for (const move of planned) {
      const vm = txn.get<VmRecord>("VirtualMachine", move.vm)!;
      startStorageMigration(txn, vm, { datastoreCluster: name, ...move }, `Storage DRS: ${move.reason}`);
    }
  } else {
    const known = new Set(pod.status.recommendations.map((r) => `${r.vm}:${r.fromDatastore}:${r.toDatastore}`));
    for (const move of moves) {
      if (known.has(`${move.vm}:${move.fromDatastore}:${move.toDatastore}`)) continue;
      txn.emit(
        "DatastoreCluster",
        name,
        "StorageDrsRecommended",
        `move ${move.vm}'s disks (${move.sizeGb} GB) from ${move.fromDatastore} to ${move.toDatastore}: ${move.reason}`,
      );
    }
  }
  txn.put<DatastoreClusterRecord>({
    ...pod,
    status: {
      ...pod.status,
      recommendations: automated ? [] : moves,
      lastMoves: automated ? moves : [],
      lastPassSeconds: txn.clockSeconds,
    },
  });
}

/** The next periodic pass; also after a pass that failed, so one bad pass does not end Storage DRS. */
function nextPass(txn: Txn, name: string): void {
  const pod = txn.get<DatastoreClusterRecord>("DatastoreCluster", name);
  if (pod) scheduleStorageDrsPass(txn, name, pod.spec.storageDrs.intervalSeconds);
}

export const storageDrsPassTimer: TimerTaskHandler = {
  run: (txn, timer) => {
    runStorageDrsPass(txn, timer.name);
    nextPass(txn, timer.name);
  },
  recover: (txn, timer) => nextPass(txn, timer.name),
};
