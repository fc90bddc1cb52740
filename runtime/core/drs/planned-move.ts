/** What a plan is made of, shared by the planner's steps. */
import type { PreCopyParams } from "../migration/pre-copy";
import type { ClusterSnapshot } from "./snapshot";

export interface PlannedMove {
  vm: string;
  fromHost: string;
  toHost: string;
  priority: number;
  reason: string;
}

export interface BalanceSettings {
  migrationThreshold: number;
  maxMovesPerPass: number;
  minGain: number;
  intervalSeconds: number;
  /** The cluster's live-migration settings: how long a move takes (cost-benefit.ts). */
  migration: PreCopyParams;
  /**
   * vmHappiness (vSphere 7): moves that raise the modelled VM DRS scores of the unhappiest VMs come
   * first, and no load-balancing move may lower the modelled score of either host it touches below
   * the lower of the two before; imbalance: the standard deviation alone (happiness.ts).
   */
  balanceBy: "vmHappiness" | "imbalance";
  /** Simulated time now, for cooldowns. */
  nowSeconds: number;
  /**
   * How many of the most loaded hosts a step takes VMs from, and how many of the least loaded it
   * tries them on (all of them when that finds no move). The runtime uses BREADTH; Infinity
   * evaluates every VM on every host against every host (the exhaustive greedy).
   */
  breadth?: number;
  /**
   * Whether the search skips host pairs between which no transfer could beat its best candidate and
   * close minGain (default true). false searches every pair: the bench and a test compare the plans.
   */
  pruneHostPairs?: boolean;
}

/** Enough to find the best move in practice (docs/benchmarks.md compares it with Infinity). */
export const BREADTH = 8;

/**
 * Moves every member of `unit` to `to` in the snapshot, recording each with `priority` and `reason`.
 * The caller has checked that no member is busy (snap.whyBusy): a VM moves at most once per plan.
 */
export function moveUnit(
  snap: ClusterSnapshot,
  unit: readonly number[],
  to: number,
  priority: number,
  reason: string,
  into: PlannedMove[],
): void {
  const busy = snap.whyUnitStays(unit, (v) => snap.whyBusy(v));
  if (busy !== undefined) throw new Error(`internal: the plan moves ${snap.vmName(unit[0])} although ${busy}`);
  for (const v of unit) {
    into.push({ vm: snap.vmName(v), fromHost: snap.hostName(snap.vmHost[v]), toHost: snap.hostName(to), priority, reason });
    snap.move(v, to);
    snap.planned.add(v);
  }
}

export function isCooling(snap: ClusterSnapshot, v: number, now: number): boolean {
  const until = snap.records[v].status.drsCooldownUntilSeconds;
  return until !== null && until > now;
}
