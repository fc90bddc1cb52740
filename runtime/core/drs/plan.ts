/**
 * The DRS planner (Gulati et al., VMware Technical Journal 2012), over a ClusterSnapshot:
 * 1. mandatory moves (priority 1): VMs that break a mandatory rule go to the host that keeps the
 *    imbalance lowest among those every filter accepts;
 * 2. preference moves (priority 2, threshold >= 2): likewise for preferential rules, when a host
 *    breaks fewer of them;
 * 3. with balanceBy vmHappiness, moves that raise the modelled VM DRS scores of the unhappiest VMs
 *    (happiness-moves.ts);
 * 4. load balancing (load-balancing.ts) while the imbalance exceeds the migration threshold's target.
 * Evacuations (maintenance, DPM) use the same choice of target. Ties go to the VM, then the host,
 * whose name sorts first. Moves are made in the snapshot only.
 */
import { mandatoryBreaches, preferenceBreaches } from "../rules/constraints";
import { raiseHappiness } from "./happiness-moves";
import { balance } from "./load-balancing";
import { targetImbalance } from "./imbalance";
import { type BalanceSettings, type PlannedMove, isCooling, moveUnit } from "./planned-move";
import type { ClusterSnapshot } from "./snapshot";

export interface Plan {
  moves: PlannedMove[];
  /** VMs that break a rule and could not be moved, with why. */
  unresolved: string[];
  imbalanceBefore: number;
  imbalanceAfter: number;
  targetImbalance: number;
  summary: string;
}

/** At most a few refusals, then how many more. */
export function summarizeRefusals(lines: string[], max = 4): string {
  return lines.length <= max ? lines.join("; ") : `${lines.slice(0, max).join("; ")}; and ${lines.length - max} more hosts`;
}

type Target = { host: number; after: number } | { refusals: string[] };

/**
 * The host for `unit` (not one `exclude` names) that the filters accept and `accept` agrees to,
 * preferring fewer preferential-rule breaches, then the lowest imbalance, then the name.
 */
export function bestTarget(
  snap: ClusterSnapshot,
  unit: readonly number[],
  exclude: (host: number) => boolean,
  accept?: (host: number) => string | undefined,
): Target {
  const from = snap.vmHost[unit[0]];
  const fromSlot = snap.slotOf(from);
  const { cpu, memory } = snap.unitLoad(unit);
  const constraints = snap.constraints(unit[0]);
  const candidates = snap.active
    .filter((h) => h !== from && !exclude(h))
    .map((h) => ({
      host: h,
      breaches: preferenceBreaches(constraints, snap.hostName(h)).length,
      after:
        fromSlot >= 0
          ? snap.load.imbalanceIf(fromSlot, snap.slotOf(h), cpu, memory)
          : snap.load.imbalanceIfAdded(snap.slotOf(h), cpu, memory),
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

/**
 * Mandatory (priority 1) or preferential (priority 2) rule corrections. A VM moves with its mandatory
 * affinity group (snap.unitOf) or not at all; none that is in flight or already moved by this plan
 * moves again. A VM left breaking a rule is reported unresolved, unless later moves of its peers
 * have made it comply.
 */
function correctRules(snap: ClusterSnapshot, mandatory: boolean, s: BalanceSettings, moves: PlannedMove[], unresolved: string[]): void {
  const breaches = (v: number) => {
    const here = snap.hostName(snap.vmHost[v]);
    return mandatory ? mandatoryBreaches(snap.constraints(v), here) : preferenceBreaches(snap.constraints(v), here);
  };
  const left: { v: number; text: string }[] = [];
  for (let v = 0; v < snap.records.length; v++) {
    // A VM in flight lands where placement accepted it, and one this plan moved has its place: the next pass sees them there.
    if (snap.vmRules[v].length === 0 || snap.whyBusy(v) !== undefined) continue;
    const here = snap.hostName(snap.vmHost[v]);
    const constraints = snap.constraints(v);
    const why = breaches(v);
    if (why.length === 0) continue;
    if (snap.whyFixed(v) !== undefined) {
      left.push({ v, text: `${snap.vmName(v)}: ${why.join("; ")}; it is pinned to ${here}` });
      continue;
    }
    if (!mandatory && isCooling(snap, v, s.nowSeconds)) continue;
    const unit = snap.unitOf(v);
    const busy = snap.whyUnitStays(unit, (u) => snap.whyBusy(u));
    if (busy !== undefined) {
      left.push({ v, text: `${snap.vmName(v)} on ${here}: ${why.join("; ")}; it cannot move now: ${busy}` });
      continue;
    }
    const fewerBreaches = (h: number) =>
      preferenceBreaches(constraints, snap.hostName(h)).length < why.length ? undefined : "breaks as many preferential rules";
    const target = bestTarget(snap, unit, () => false, mandatory ? undefined : fewerBreaches);
    if ("refusals" in target) {
      left.push({
        v,
        text: `${snap.vmName(v)} on ${here}: ${why.join("; ")}; no host can take it (${summarizeRefusals(target.refusals)})`,
      });
      continue;
    }
    moveUnit(snap, unit, target.host, mandatory ? 1 : 2, why.join("; "), moves);
  }
  for (const { v, text } of left) if (breaches(v).length > 0) unresolved.push(text);
}

/** Plans one DRS pass over the snapshot (which ends up as the plan leaves it); `rulesOnly` skips load balancing. */
export function planPass(snap: ClusterSnapshot, s: BalanceSettings, rulesOnly = false): Plan {
  const imbalanceBefore = snap.load.imbalance();
  const target = targetImbalance(s.migrationThreshold, snap.active.length);
  const moves: PlannedMove[] = [];
  const unresolved: string[] = [];
  correctRules(snap, true, s, moves, unresolved);
  if (s.migrationThreshold >= 2) correctRules(snap, false, s, moves, unresolved);
  let summary = "rule corrections only: load balancing waits for the next periodic pass";
  if (!rulesOnly) {
    const happiness =
      s.balanceBy === "vmHappiness" && s.migrationThreshold >= 2 && snap.active.length >= 2 ? raiseHappiness(snap, s, moves) : undefined;
    summary = balance(snap, s, target, moves, happiness?.moved);
    if (happiness?.summary !== undefined) summary = `${happiness.summary}; ${summary}`;
  }
  return { moves, unresolved, imbalanceBefore, imbalanceAfter: snap.load.imbalance(), targetImbalance: target, summary };
}

/**
 * Moves every VM off `host` (a maintenance or standby candidate) to the best host that accepts it;
 * `accept` may add a condition. Units that cannot move are listed in `failures` with why.
 */
export function planEvacuation(
  snap: ClusterSnapshot,
  host: number,
  reason: string,
  accept?: (unit: readonly number[], to: number) => string | undefined,
): { moves: PlannedMove[]; failures: string[] } {
  const moves: PlannedMove[] = [];
  const failures: string[] = [];
  for (const v of [...snap.vmsOn[host]]) {
    if (snap.vmHost[v] !== host) continue;
    const unit = snap.unitOf(v);
    const fixed = snap.whyUnitStays(unit);
    if (fixed !== undefined) {
      failures.push(`${snap.vmName(v)}: ${fixed}`);
      continue;
    }
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
  for (let i = moves.length - 1; i >= 0; i--) {
    const v = snap.vmIndex(moves[i].vm)!;
    snap.move(v, snap.hostIndex.get(moves[i].fromHost)!);
    snap.planned.delete(v);
  }
}
