/**
 * The VM DRS score of vSphere 7 (VMware, "A Closer Look at the VM DRS Score", 2020): how happy a VM is
 * where it runs, 0 (severe contention) to 100 (none). vSphere's inputs are CPU ready time, memory swap,
 * cache behaviour and headroom, with unpublished weights; the model has no ready time or swapping of
 * its own, so it reads them from what it has: the share of its CPU demand the guest gets on its host
 * (its usage: within its entitlement, and divided again when the host's VMs want more than it has; the
 * rest would wait ready) times the share of its active memory it gets there (the rest would be
 * reclaimed). Where it runs matters: the same VM on an uncontended host scores 100. Bucket edges 0-20, 21-40, 41-60, 61-80, 81-100 (the vSphere client's histogram; the exact
 * edges are unsourced). Derived when objects are shown, never stored.
 */
import type { VmRecord } from "../kernel/model";
import { guestCpuMhz } from "../allocation/vm-claims";
import type { VmUsage } from "../vms/vm-usage";

/** 0..100 for a running VM using `usage` (vms/vm-usage.ts); undefined for one that runs nowhere. */
export function vmDrsScore(vm: VmRecord, usage: VmUsage): number | undefined {
  const s = vm.status;
  if (s.powerState !== "on" || s.currentHost === null) return undefined;
  const cpuDemand = s.cpuDemandMhz;
  const cpuGot = Math.min(guestCpuMhz(s.cpuEntitlementMhz, s.overheadCpuPercent), usage.cpuUsedMhz);
  const memoryLimit = Math.min(vm.spec.memory.limitMb ?? vm.spec.memoryMb, vm.spec.memoryMb);
  const memoryDemand = Math.min(vm.spec.workload?.activeMemoryMb ?? vm.spec.memoryMb, memoryLimit);
  const memoryGot = Math.min(s.memoryEntitlementMb, usage.memoryUsedMb) - s.overheadMemoryMb;
  const cpu = cpuDemand <= 0 ? 1 : Math.min(1, cpuGot / cpuDemand);
  const memory = memoryDemand <= 0 ? 1 : Math.min(1, memoryGot / memoryDemand);
  return Math.max(0, Math.min(100, Math.round(100 * cpu * memory)));
}

export const SCORE_BUCKETS = ["0-20", "21-40", "41-60", "61-80", "81-100"] as const;

/** How many of `scores` fall in each bucket. */
export function scoreBuckets(scores: readonly number[]): Record<(typeof SCORE_BUCKETS)[number], number> {
  const counts = [0, 0, 0, 0, 0];
  for (const s of scores) counts[s <= 20 ? 0 : s <= 40 ? 1 : s <= 60 ? 2 : s <= 80 ? 3 : 4]++;
  return Object.fromEntries(SCORE_BUCKETS.map((b, i) => [b, counts[i]])) as Record<(typeof SCORE_BUCKETS)[number], number>;
}
