/**
 * VM happiness as a DRS pass models it, for `drs.balanceBy: "vmHappiness"` (vSphere 7 DRS: "the goal
 * is VM happiness, cluster balance is secondary"; VMware, "A Closer Look at the VM DRS Score", 2020,
 * and Resource Management 7.0, "DRS Migration Threshold", where the threshold says how aggressive DRS
 * is in recommending migrations to improve VM happiness).
 *
 * A VM's score where it runs (vm-score.ts) is the share of its demand it gets there. A host gives
 * every VM what it wants (its demand within its entitlement, vm-usage.ts) while the wants fit its
 * capacity, and divides the capacity by shares when they do not. The planner cannot divide every host
 * again for every candidate, so it models a host's VMs as getting capacity / wants of each resource:
 * score = 100 * min(1, C_cpu / W_cpu) * min(1, C_memory / W_memory). The model is exact where it
 * matters most: 100 exactly when the host is uncontended (and then every VM's own score is 100 unless
 * its own limit or entitlement holds it back, which no move changes). The wants are a second
 * LoadState of the snapshot, so a candidate costs O(1) as for the imbalance.
 */
import type { LoadState } from "./imbalance";

/** The modelled score of the VMs on balance slot `slot`, with `cpu`/`memory` more (negative: less) wanted there. */
export function hostScoreIf(wants: LoadState, slot: number, cpu = 0, memory = 0): number {
  const c = wants.normalizedIf(slot, 0, cpu);
  const m = wants.normalizedIf(slot, 1, memory);
  return 100 * Math.min(1, c > 0 ? 1 / c : 1) * Math.min(1, m > 0 ? 1 / m : 1);
}

/**
 * The priority of a move that makes VMs scoring `score` happier: up to 40 -> 2, up to 60 -> 3 (the
 * default threshold acts for the three lowest buckets of the score histogram), up to 80 -> 4, below
 * 100 -> 5 (any unhappy VM). vSphere publishes no mapping, only that the threshold says how aggressive
 * DRS is in improving VM happiness (Resource Management 7.0, "DRS Migration Threshold"): an inference.
 */
export function happinessPriority(score: number): number {
  return score <= 40 ? 2 : score <= 60 ? 3 : score <= 80 ? 4 : 5;
}

/** The mean modelled score over VMs, given the number of VMs per balance slot. */
export function meanVmScore(wants: LoadState, vmsPerSlot: readonly number[]): number {
  let vms = 0;
  let sum = 0;
  vmsPerSlot.forEach((n, slot) => {
    vms += n;
    sum += n * hostScoreIf(wants, slot);
  });
  return vms === 0 ? 100 : sum / vms;
}

export function formatScore(n: number): string {
  return n.toFixed(1);
}

export function roundScore(n: number): number {
  return Number(n.toFixed(1));
}
