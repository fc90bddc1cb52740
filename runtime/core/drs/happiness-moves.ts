/**
 * The VM-happiness step of a DRS pass (`drs.balanceBy: "vmHappiness"`, vSphere 7): before load
 * balancing, move VMs off the hosts whose modelled VM DRS score (happiness.ts) is lowest. From the
 * least happy host first, the move taken is the one that leaves the lower of its two hosts' scores
 * highest (the unhappiest VMs gain most, and the target's VMs may lose only down to that), ties by
 * the lower imbalance, then VM and host name; it must raise that lower score by MIN_RAISE (one VM
 * leaving a host of a hundred raises its score by less than a point, so the bar is the precision
 * status shows the mean in).
 * A host scoring 100 is never a source, so on an uncontended cluster this step moves nothing and
 * the pass makes exactly the moves of balanceBy "imbalance". The same VMs may not move as in load
 * balancing (pinned, in flight, already moved, cooling down), the same placement filters and
 * preferential rules apply, and the moves count against maxMovesPerPass. The move's priority comes
 * from the source's score (happinessPriority): a threshold acts only for VMs at or below its bucket.
 */
import { formatScore, happinessPriority, hostScoreIf } from "./happiness";
import { formatImbalance } from "./imbalance";
import { type Mover, Movers, refusal } from "./load-balancing";
import { BREADTH, type BalanceSettings, type PlannedMove, moveUnit } from "./planned-move";
import type { ClusterSnapshot } from "./snapshot";

const MIN_RAISE = 0.1;

interface Choice {
  mover: Mover;
  to: number;
  worst: number;
  imbalance: number;
}

/**
 * The best move off `from`, or undefined: candidates ranked by the lower of the two hosts' scores
 * after (higher first), then the imbalance after, VM and host; placement's filters are asked in that
 * order until one accepts, so they run only for the candidates ahead of the move taken.
 */
function bestFrom(snap: ClusterSnapshot, cache: Movers, from: number, targets: readonly number[], budget: number): Choice | undefined {
  const a = snap.slotOf(from);
  const now = hostScoreIf(snap.wants, a);
  const ranked: Choice[] = [];
  for (const m of cache.of(from, { cooling: 0, pinned: 0, migrating: 0, costly: 0, refused: 0 })) {
    if (m.unit.length > budget) continue;
    const left = hostScoreIf(snap.wants, a, -m.wantCpu, -m.wantMemory);
    if (left < now + MIN_RAISE) continue;
    for (const to of targets) {
      if (to === from) continue;
      const b = snap.slotOf(to);
      const worst = Math.min(left, hostScoreIf(snap.wants, b, m.wantCpu, m.wantMemory));
      if (worst < now + MIN_RAISE) continue;
      ranked.push({ mover: m, to, worst, imbalance: snap.load.imbalanceIf(a, b, m.cpu, m.memory) });
    }
  }
  // The first in rank order that placement accepts: most candidates rank behind the one taken, so the
  // best is found by a scan, and again only when placement refuses it, rather than by sorting them all.
  for (let left = ranked.length; left > 0; left--) {
    let best = 0;
    for (let k = 1; k < left; k++) if (ranksBefore(ranked[k], ranked[best])) best = k;
    const choice = ranked[best];
    if (refusal(snap, choice.mover, choice.to) === undefined) return choice;
    ranked[best] = ranked[left - 1];
  }
  return undefined;
}

/** Higher lower-score first, then lower imbalance, then VM and host: a total order over one source's candidates. */
function ranksBefore(x: Choice, y: Choice): boolean {
  return (y.worst - x.worst || x.imbalance - y.imbalance || x.mover.unit[0] - y.mover.unit[0] || x.to - y.to) < 0;
}

/**
 * Raises the scores of the unhappiest VMs, appending the moves; returns how many VMs moved and why it
 * stopped (undefined when every host already scored 100: the pass then reads as an imbalance pass).
 */
export function raiseHappiness(
  snap: ClusterSnapshot,
  s: BalanceSettings,
  moves: PlannedMove[],
): { moved: number; summary: string | undefined } {
  const cache = new Movers(snap, s);
  let moved = 0;
  for (;;) {
    const unhappy = snap.active
      .map((h) => ({ h, score: snap.hostScore(h) }))
      .filter((x) => x.score < 100)
      .sort((x, y) => x.score - y.score || x.h - y.h);
    if (unhappy.length === 0)
      return {
        moved,
        summary: moved === 0 ? undefined : `VM happiness: ${moved} moves brought every host to a modelled VM DRS score of 100`,
      };
    const stop = (why: string) => ({
      moved,
      summary: `lowest modelled VM DRS score ${formatScore(unhappy[0].score)} on ${snap.hostName(unhappy[0].h)}: ${why}`,
    });
    if (moved >= s.maxMovesPerPass) return stop(`the limit of ${s.maxMovesPerPass} moves per pass was reached`);
    let choice: Choice | undefined;
    let score = 100;
    // As in load balancing: the `breadth` least happy hosts as sources and the happiest as targets,
    // every host when those give nothing.
    const breadth = s.breadth ?? BREADTH;
    const happiest = [...snap.active].sort((x, y) => snap.hostScore(y) - snap.hostScore(x) || x - y);
    for (const targets of breadth < happiest.length ? [happiest.slice(0, breadth), happiest] : [happiest]) {
      for (const { h, score: hs } of unhappy.slice(0, targets === happiest ? unhappy.length : breadth)) {
        if (happinessPriority(hs) > s.migrationThreshold) break;
        choice = bestFrom(snap, cache, h, targets, s.maxMovesPerPass - moved);
        score = hs;
        if (choice) break;
      }
      if (choice) break;
    }
    if (!choice) {
      return stop(
        happinessPriority(unhappy[0].score) > s.migrationThreshold
          ? `above what migration threshold ${s.migrationThreshold} acts on`
          : `no move raises it by ${MIN_RAISE}`,
      );
    }
    const { mover, to } = choice;
    const from = mover.host;
    const k = mover.unit.length;
    const [a, b] = [snap.slotOf(from), snap.slotOf(to)];
    const [na, nb] = [snap.vmsOn[from].length, snap.vmsOn[to].length];
    const [fromAfter, toBefore] = [hostScoreIf(snap.wants, a, -mover.wantCpu, -mover.wantMemory), snap.hostScore(to)];
    const toAfter = hostScoreIf(snap.wants, b, mover.wantCpu, mover.wantMemory);
    const before = snap.meanVmScore();
    const vms = snap.active.reduce((n, h) => n + snap.vmsOn[h].length, 0);
    const after = before + ((na - k) * fromAfter + (nb + k) * toAfter - na * score - nb * toBefore) / vms;
    const reason =
      `VM happiness: modelled VM DRS score on ${snap.hostName(from)} ${formatScore(score)} -> ${formatScore(fromAfter)}, ` +
      `on ${snap.hostName(to)} ${formatScore(toBefore)} -> ${formatScore(toAfter)}; cluster mean ${formatScore(before)} -> ${formatScore(after)}; ` +
      `imbalance ${formatImbalance(snap.load.imbalance())} -> ${formatImbalance(choice.imbalance)}`;
    moveUnit(snap, mover.unit, to, happinessPriority(score), reason, moves);
    moved += mover.unit.length;
    cache.changed(from, to);
  }
}
