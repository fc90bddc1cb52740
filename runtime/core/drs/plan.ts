/**
 * The DRS planner (Gulati et al., VMware Technical Journal 2012), over a ClusterSnapshot:
 * 1. mandatory moves (priority 1): VMs that break a mandatory rule go to the host that keeps the
 *    imbalance lowest among those every filter accepts;
 * 2. preference moves (priority 2, threshold >= 2): likewise for preferential rules, when a host
 *    breaks fewer of them;
 * 3. load balancing: while the imbalance exceeds the target of the migration threshold, apply the
 *    single move (a VM, or the VMs a mandatory affinity rule keeps together) that lowers it most,
 *    among moves that gain at least minGain, pay for themselves (cost-benefit) and whose VMs are not
 *    cooling down after an earlier DRS move; up to maxMovesPerPass.
 * Ties go to the VM, then the host, whose name sorts first. Moves are made in the snapshot only.
 */
import { mandatoryBreaches, preferenceBreaches } from "../rules/constraints";
import { costBenefit, estimatedMigrationSeconds } from "./cost-benefit";
import { balancePriority, formatImbalance, targetImbalance } from "./imbalance";
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
  bandwidthMbps: number;
  /** Simulated time now, for cooldowns. */
  nowSeconds: number;
  /**
   * Most-loaded hosts whose VMs are considered as sources per step (every host is a target). The
   * runtime uses SOURCE_BREADTH; Infinity evaluates every VM on every host (the exhaustive greedy).
   */
  sourceBreadth?: number;
}

/** Enough to find the best move in practice (see docs/benchmarks.md for the comparison with Infinity). */
export const SOURCE_BREADTH = 8;

export interface Plan {
  moves: PlannedMove[];
  /** VMs that break a rule and could not be moved, with why. */
  unresolved: string[];
  imbalanceBefore: number;
  imbalanceAfter: number;
  targetImbalance: number;
  summary: string;
}

const pct = (n: number) => `${Math.round(n * 100)}%`;

/** At most a few refusals, then how many more. */
export function summarizeRefusals(lines: string[], max = 4): string {
  return lines.length <= max ? lines.join("; ") : `${lines.slice(0, max).join("; ")}; and ${lines.length - max} more hosts`;
}

type Target = { host: number; after: number } | { refusals: string[] };

/**
 * The host for `unit` (not one `exclude` names) that the filters accept and `accept` agrees to,
 * preferring fewer preferential-rule breaches, then the lowest imbalance, then the name.
 */
export function bestTarget(snap: ClusterSnapshot, unit: readonly number[], exclude: (host: number) => boolean, accept?: (host: number) => string | undefined): Target {
  const from = snap.vms[unit[0]].host;
  const fromSlot = snap.slotOf(from);
  const { cpu, memory } = snap.unitLoad(unit);
  const constraints = snap.constraints(unit[0]);
  const candidates = snap.active
    .filter((h) => h !== from && !exclude(h))
    .map((h) => ({
      host: h,
      breaches: preferenceBreaches(constraints, snap.hostName(h)).length,
      after: fromSlot >= 0 ? snap.load.imbalanceIf(fromSlot, snap.slotOf(h), cpu, memory) : snap.load.imbalanceIfAdded(snap.slotOf(h), cpu, memory),
    }))
    .sort((a, b) => a.breaches - b.breaches || a.after - b.after || a.host - b.host);
  const refusals: string[] = [];
  for (const c of candidates) {
    const why = snap.refusals(unit, c.host);
    const objection = why.length === 0 ? accept?.(c.host) : why.join("; ");
    if (objection === undefined) return { host: c.host, after: c.after };
    refusals.push(`${snap.hostName(c.host)}: ${objection}`);
  }
  snap.hosts.forEach((h, i) => {
    if (i !== from && !exclude(i) && snap.slotOf(i) < 0) refusals.push(`${h.name}: host is ${h.status.state}`);
  });
  if (refusals.length === 0) refusals.push("the cluster has no other host");
  return { refusals };
}

/** Moves every member of `unit` to `to` in the snapshot, recording each with `priority` and `reason`. */
function moveUnit(snap: ClusterSnapshot, unit: readonly number[], to: number, priority: number, reason: string, into: PlannedMove[]): void {
  for (const v of unit) {
    into.push({ vm: snap.vmName(v), fromHost: snap.hostName(snap.vms[v].host), toHost: snap.hostName(to), priority, reason });
    snap.move(v, to);
  }
}

function isCooling(snap: ClusterSnapshot, v: number, now: number): boolean {
  const until = snap.vms[v].record.status.drsCooldownUntilSeconds;
  return until !== null && until > now;
}

/** Mandatory (priority 1) or preferential (priority 2) rule corrections. */
function correctRules(snap: ClusterSnapshot, mandatory: boolean, s: BalanceSettings, moves: PlannedMove[], unresolved: string[]): void {
  for (let v = 0; v < snap.vms.length; v++) {
    if (snap.vms[v].rules.length === 0) continue;
    const here = snap.hostName(snap.vms[v].host);
    const constraints = snap.constraints(v);
    const why = mandatory ? mandatoryBreaches(constraints, here) : preferenceBreaches(constraints, here);
    if (why.length === 0) continue;
    if (snap.isPinned(v)) {
      unresolved.push(`${snap.vmName(v)}: ${why.join("; ")}; it is pinned to ${here}`);
      continue;
    }
    if (!mandatory && isCooling(snap, v, s.nowSeconds)) continue;
    const fewerBreaches = (h: number) => (preferenceBreaches(constraints, snap.hostName(h)).length < why.length ? undefined : "breaks as many preferential rules");
    const target = bestTarget(snap, snap.unitOf(v), () => false, mandatory ? undefined : fewerBreaches);
    if ("refusals" in target) {
      unresolved.push(`${snap.vmName(v)} on ${here}: ${why.join("; ")}; no host can take it (${summarizeRefusals(target.refusals)})`);
      continue;
    }
    moveUnit(snap, snap.unitOf(v), target.host, mandatory ? 1 : 2, why.join("; "), moves);
  }
}

interface Candidate {
  unit: number[];
  from: number;
  to: number;
  after: number;
  seconds: number;
  cost: number;
  benefit: number;
}

interface Skipped {
  cooling: number;
  pinned: number;
  costly: number;
}

/** Sum over resources of how far the host's normalized entitlement is above the mean. */
function excess(snap: ClusterSnapshot, slot: number): number {
  return snap.load.normalized(slot, 0) - snap.load.mean(0) + (snap.load.normalized(slot, 1) - snap.load.mean(1));
}

function migrationSeconds(snap: ClusterSnapshot, unit: readonly number[], bandwidthMbps: number): number {
  let total = 0;
  for (const v of unit) {
    const spec = snap.vms[v].record.spec;
    total += estimatedMigrationSeconds(spec.memoryMb, spec.workload?.dirtyRateMbps ?? 0, bandwidthMbps);
  }
  return total;
}

function bestBalanceMove(snap: ClusterSnapshot, s: BalanceSettings, imbalance: number, skipped: Skipped): Candidate | undefined {
  const breadth = s.sourceBreadth ?? SOURCE_BREADTH;
  const sources = snap.active.map((h) => ({ h, e: excess(snap, snap.slotOf(h)) })).sort((a, b) => b.e - a.e || a.h - b.h);
  let best: Candidate | undefined;
  let bestGain = 0;
  let scanned = 0;
  for (const { h: from, e } of sources) {
    if (Number.isFinite(breadth) && (e <= 0 || (scanned >= breadth && best))) break;
    scanned++;
    const fromSlot = snap.slotOf(from);
    const capacity = snap.hosts[from].status;
    for (const v of snap.vmsOn[from]) {
      const unit = snap.vms[v].rules.length === 0 ? [v] : snap.unitOf(v);
      if (unit[0] !== v) continue;
      if (unit.some((u) => snap.isPinned(u))) {
        skipped.pinned++;
        continue;
      }
      if (unit.some((u) => isCooling(snap, u, s.nowSeconds))) {
        skipped.cooling++;
        continue;
      }
      const { cpu, memory } = unit.length === 1 ? snap.vms[v] : snap.unitLoad(unit);
      const share = Math.max(cpu / capacity.cpuCapacityMhz, memory / capacity.memoryCapacityMb);
      let seconds = -1;
      for (const to of snap.active) {
        if (to === from) continue;
        const after = snap.load.imbalanceIf(fromSlot, snap.slotOf(to), cpu, memory);
        const gain = imbalance - after;
        if (gain < s.minGain || gain <= bestGain) continue;
        if (seconds < 0) seconds = migrationSeconds(snap, unit, s.bandwidthMbps);
        const cb = costBenefit(gain, share, seconds, s.intervalSeconds);
        if (!cb.pays) {
          skipped.costly++;
          continue;
        }
        if (snap.vms[v].rules.length > 0 && preferenceBreaches(snap.constraints(v), snap.hostName(to)).length > preferenceBreaches(snap.constraints(v), snap.hostName(from)).length) continue;
        if (snap.refusals(unit, to).length > 0) continue;
        best = { unit, from, to, after, seconds, cost: cb.cost, benefit: cb.benefit };
        bestGain = gain;
      }
    }
  }
  return best;
}

function describeHost(snap: ClusterSnapshot, host: number): string {
  const slot = snap.slotOf(host);
  return `${snap.hostName(host)} ${pct(snap.load.normalized(slot, 0))} cpu / ${pct(snap.load.normalized(slot, 1))} memory`;
}

function balance(snap: ClusterSnapshot, s: BalanceSettings, target: number, moves: PlannedMove[]): string {
  const hosts = snap.active.length;
  if (s.migrationThreshold === 1) return "migration threshold 1 applies mandatory moves only";
  if (hosts < 2) return "fewer than two connected hosts: nothing to balance";
  let moved = 0;
  for (;;) {
    const imbalance = snap.load.imbalance();
    if (imbalance <= target) return `imbalance ${formatImbalance(imbalance)} is within the target ${formatImbalance(target)} of threshold ${s.migrationThreshold} over ${hosts} hosts`;
    if (moved >= s.maxMovesPerPass) return `imbalance ${formatImbalance(imbalance)} is above the target ${formatImbalance(target)} but the limit of ${s.maxMovesPerPass} load-balancing moves per pass was reached`;
    const skipped: Skipped = { cooling: 0, pinned: 0, costly: 0 };
    const best = bestBalanceMove(snap, s, imbalance, skipped);
    if (!best) {
      const notes = [
        skipped.cooling ? `${skipped.cooling} VMs cooling down after a recent move` : "",
        skipped.pinned ? `${skipped.pinned} pinned` : "",
        skipped.costly ? `${skipped.costly} candidate moves cost more than they gain` : "",
      ].filter(Boolean);
      return `imbalance ${formatImbalance(imbalance)} is above the target ${formatImbalance(target)} but no move gains at least ${s.minGain} and pays for itself${notes.length ? ` (${notes.join(", ")})` : ""}`;
    }
    const reason =
      `load balancing: imbalance ${formatImbalance(imbalance)} -> ${formatImbalance(best.after)} (target ${formatImbalance(target)}); ` +
      `entitled on ${describeHost(snap, best.from)}, on ${describeHost(snap, best.to)}; ` +
      `migration about ${Math.round(best.seconds)} s (cost ${formatImbalance(best.cost)} <= benefit ${formatImbalance(best.benefit)})`;
    moveUnit(snap, best.unit, best.to, balancePriority(imbalance, hosts), reason, moves);
    moved += best.unit.length;
  }
}

/** Plans one DRS pass over the snapshot (which ends up as the plan leaves it); `rulesOnly` skips load balancing. */
export function planPass(snap: ClusterSnapshot, s: BalanceSettings, rulesOnly = false): Plan {
  const imbalanceBefore = snap.load.imbalance();
  const target = targetImbalance(s.migrationThreshold, snap.active.length);
  const moves: PlannedMove[] = [];
  const unresolved: string[] = [];
  correctRules(snap, true, s, moves, unresolved);
  if (s.migrationThreshold >= 2) correctRules(snap, false, s, moves, unresolved);
  const summary = rulesOnly ? "rule corrections only: load balancing waits for the next periodic pass" : balance(snap, s, target, moves);
  return { moves, unresolved, imbalanceBefore, imbalanceAfter: snap.load.imbalance(), targetImbalance: target, summary };
}

/**
 * Moves every VM off `host` (a maintenance or standby candidate) to the best host that accepts it;
 * `accept` may add a condition. Units that cannot move are listed in `failures` with why.
 */
export function planEvacuation(snap: ClusterSnapshot, host: number, reason: string, accept?: (unit: readonly number[], to: number) => string | undefined): { moves: PlannedMove[]; failures: string[] } {
  const moves: PlannedMove[] = [];
  const failures: string[] = [];
  for (const v of [...snap.vmsOn[host]]) {
    if (snap.vms[v].host !== host) continue;
    if (snap.isPinned(v)) {
      failures.push(`${snap.vmName(v)}: pinned to ${snap.hostName(host)} (spec.host)`);
      continue;
    }
    const unit = snap.unitOf(v);
    const target = bestTarget(snap, unit, (h) => h === host, accept && ((to) => accept(unit, to)));
    if ("refusals" in target) {
      failures.push(`${unit.map((u) => snap.vmName(u)).join(" + ")}: no other host can take it (${summarizeRefusals(target.refusals)})`);
      continue;
    }
    moveUnit(snap, unit, target.host, 1, reason, moves);
  }
  return { moves, failures };
}

/** Undoes planned moves in the snapshot, last first. */
export function undoMoves(snap: ClusterSnapshot, moves: readonly PlannedMove[]): void {
  for (let i = moves.length - 1; i >= 0; i--) snap.move(snap.vmIndex.get(moves[i].vm)!, snap.hostIndex.get(moves[i].fromHost)!);
}
