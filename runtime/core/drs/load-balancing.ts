/**
 * Load balancing, the third step of a DRS pass: while the imbalance exceeds the migration
 * threshold's target, apply the best move (Gulati et al., VMware Technical Journal 2012):
 * - single moves: a VM (or the VMs a mandatory affinity rule keeps together) from one of the most
 *   loaded hosts to one of the least loaded (to any host when those give nothing);
 * - swaps, when no single move helps: two VMs trade hosts, which escapes the local optimum where
 *   every single move would overshoot (two migrations, counted as two moves).
 * A candidate must close a load gap of at least minGain, pay for itself (cost-benefit.ts; not at
 * threshold 5, which acts on any move that improves balance), keep
 * every filter of the placement profile and every preferential rule as well kept as before, and
 * move no VM that is pinned, already migrating or moved earlier in this pass, or cooling down after an
 * earlier DRS move. Up to maxMovesPerPass migrations: a swap or a group is taken only if all its
 * moves fit in what is left.
 * A pair of hosts is searched only while some transfer between them, within the sizes of the units
 * that may move, could still beat the best candidate and close minGain (LoadState.lowestVarianceBetween):
 * a balanced cluster costs a bound per pair, not a walk over VM pairs, and the plan (and every count
 * in its summary) is the one the full search makes: only candidates that would fail those two tests
 * before being counted are skipped.
 * With balanceBy vmHappiness a candidate must also leave the lower of its two hosts' modelled VM DRS
 * scores no lower than before (happiness.ts): balance never buys evenness with contention.
 */
import { preferenceBreaches } from "../rules/constraints";
import { liveMigrationParams, predictLiveMigration } from "../vms/vm-moves";
import { costBenefit, loadGapClosed, migrationCost } from "./cost-benefit";
import { hostScoreIf } from "./happiness";
import { balancePriority, formatImbalance } from "./imbalance";
import { BREADTH, type BalanceSettings, type PlannedMove, isCooling, moveUnit } from "./planned-move";
import type { ClusterSnapshot } from "./snapshot";

const pct = (n: number) => `${Math.round(n * 100)}%`;

/**
 * The most aggressive threshold: "apply all recommendations, even those with a slight improvement"
 * (vSphere Resource Management 6.0/6.7, "DRS Migration Threshold"; level 5's wording per
 * mindthevirt.com, "vSphere DRS Migration Thresholds"). Its target is 0, and no move that narrows the
 * load gap by minGain is dropped for costing more than it gains.
 */
const AGGRESSIVE = 5;

/** A unit that may move: the VMs that go together, their entitled load and what migrating them costs. */
export interface Mover {
  unit: number[];
  host: number;
  cpu: number;
  memory: number;
  /** What the unit wants of its host (happiness.ts). */
  wantCpu: number;
  wantMemory: number;
  seconds: number;
  /** migrationCost: the unit's largest normalized entitlement on its host times `seconds`. */
  cost: number;
}

interface Candidate {
  /** One mover (a move to `to`) or two (a swap: each goes to the other's host). */
  movers: Mover[];
  to: number;
  after: number;
  gain: number;
  cost: number;
  benefit: number;
}

interface Skipped {
  cooling: number;
  pinned: number;
  migrating: number;
  costly: number;
  /** Candidates a placement filter or a preferential rule refused, and the first one's why. */
  refused: number;
  example?: string;
}

const noneSkipped = (): Skipped => ({ cooling: 0, pinned: 0, migrating: 0, costly: 0, refused: 0 });

/** Sum over resources of how far the host's normalized entitlement is above the mean. */
function excess(snap: ClusterSnapshot, host: number): number {
  const slot = snap.slotOf(host);
  return snap.load.normalized(slot, 0) - snap.load.mean(0) + (snap.load.normalized(slot, 1) - snap.load.mean(1));
}

/**
 * Movers per host for one pass: a host's list changes only when a move touches it, so each step
 * recomputes just the two hosts of the previous move. Skips are counted once per host and list.
 */
/** The least and most CPU and memory any unit in a list carries: [cpu low, cpu high, memory low, memory high]. */
type Extent = readonly [number, number, number, number];

function extentOf(movers: readonly Mover[]): Extent {
  let [cpuLow, cpuHigh, memoryLow, memoryHigh] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const m of movers) {
    cpuLow = Math.min(cpuLow, m.cpu);
    cpuHigh = Math.max(cpuHigh, m.cpu);
    memoryLow = Math.min(memoryLow, m.memory);
    memoryHigh = Math.max(memoryHigh, m.memory);
  }
  return [cpuLow, cpuHigh, memoryLow, memoryHigh];
}

export class Movers {
  private readonly byHost = new Map<number, { movers: Mover[]; extent: Extent; skipped: Skipped }>();

  constructor(
    private readonly snap: ClusterSnapshot,
    private readonly s: BalanceSettings,
  ) {}

  of(host: number, skipped: Skipped): Mover[] {
    let entry = this.byHost.get(host);
    if (!entry) {
      const own = noneSkipped();
      const list = movers(this.snap, host, this.s, own);
      this.byHost.set(host, (entry = { movers: list, extent: extentOf(list), skipped: own }));
    }
    skipped.cooling += entry.skipped.cooling;
    skipped.pinned += entry.skipped.pinned;
    skipped.migrating += entry.skipped.migrating;
    return entry.movers;
  }

  /** The extent of `host`'s movers (after `of` listed them). */
  extent(host: number): Extent {
    return this.byHost.get(host)!.extent;
  }

  changed(...hosts: number[]): void {
    for (const h of hosts) this.byHost.delete(h);
  }
}

/** The units on `host` that may move, each once (by its first VM). */
function movers(snap: ClusterSnapshot, host: number, s: BalanceSettings, skipped: Skipped): Mover[] {
  const capacity = snap.hosts[host].status;
  const out: Mover[] = [];
  for (const v of snap.vmsOn[host]) {
    const unit = snap.vmRules[v].length === 0 ? [v] : snap.unitOf(v);
    if (unit[0] !== v) continue;
    if (unit.some((u) => snap.whyBusy(u) !== undefined)) {
      skipped.migrating++;
      continue;
    }
    if (unit.some((u) => snap.whyFixed(u) !== undefined)) {
      skipped.pinned++;
      continue;
    }
    if (unit.some((u) => isCooling(snap, u, s.nowSeconds))) {
      skipped.cooling++;
      continue;
    }
    const { cpu, memory, wantCpu, wantMemory } = snap.unitLoad(unit);
    let seconds = 0;
    const params = liveMigrationParams(snap.hosts[host].spec, s.migration);
    for (const u of unit) seconds += predictLiveMigration(snap.records[u].spec, params).totalSeconds;
    const share = Math.max(cpu / capacity.cpuCapacityMhz, memory / capacity.memoryCapacityMb);
    out.push({ unit, host, cpu, memory, wantCpu, wantMemory, seconds, cost: migrationCost(share, seconds) });
  }
  return out;
}

/** Why the mover cannot go to `to` (a filter, or a preferential rule broken more than now), or undefined when it can. */
export function refusal(snap: ClusterSnapshot, m: Mover, to: number): string | undefined {
  const lead = m.unit[0];
  const what = `${m.unit.map((v) => snap.vmName(v)).join(" + ")} to ${snap.hostName(to)}`;
  if (snap.vmRules[lead].length > 0) {
    const c = snap.constraints(lead);
    if (preferenceBreaches(c, snap.hostName(to)).length > preferenceBreaches(c, snap.hostName(m.host)).length)
      return `${what}: breaks more preferential rules`;
  }
  const why = snap.refusals(m.unit, to);
  return why.length === 0 ? undefined : `${what}: ${why.join("; ")}`;
}

/**
 * Room for rounding when comparing the bound with the variances candidates compute: far below what
 * minGain asks of a move (2 minGain / hosts), far above float error on normalized entitlements.
 */
const BOUND_SLACK = 1e-9;

class Search {
  best: Candidate | undefined;
  /** The imbalance the best candidate so far leaves; callers skip anything not below it cheaply. */
  bestAfter: number;
  /** The largest variance after a move that still closes minGain (negative: none can). */
  private readonly minGainVariance: number;

  constructor(
    private readonly snap: ClusterSnapshot,
    private readonly s: BalanceSettings,
    private readonly imbalance: number,
    readonly skipped: Skipped,
    /** Migrations the pass may still start: a swap or a group counts each VM it moves. */
    private readonly budget: number,
  ) {
    this.bestAfter = imbalance;
    this.minGainVariance = imbalance * imbalance - (2 * s.minGain) / snap.active.length;
  }

  /**
   * Whether a transfer from host `from` to host `to` with amounts within these ranges could still be
   * taken: leave less imbalance than the best so far and close minGain (up to BOUND_SLACK).
   */
  mayImprove(from: number, to: number, cpu: readonly [number, number], memory: readonly [number, number]): boolean {
    if (this.s.pruneHostPairs === false) return true;
    const ceiling = Math.min(this.bestAfter * this.bestAfter, this.minGainVariance);
    const lowest = this.snap.load.lowestVarianceBetween(this.snap.slotOf(from), this.snap.slotOf(to), cpu, memory);
    return lowest <= ceiling + BOUND_SLACK;
  }

  /** Considers `movers[0]` going to `to`, or with two movers a swap (`to` is the second's host). */
  consider(movers: Mover[], to: number, after: number): void {
    if (after >= this.bestAfter) return;
    if (movers.reduce((n, m) => n + m.unit.length, 0) > this.budget) return;
    const gain = loadGapClosed(this.imbalance, after, this.snap.active.length);
    if (gain < this.s.minGain) return;
    const cb = costBenefit(
      gain,
      movers.reduce((c, m) => c + m.cost, 0),
      this.s.intervalSeconds,
    );
    // Threshold 5 (aggressive) applies every recommendation, down to a slight improvement: it skips cost-benefit.
    if (!cb.pays && this.s.migrationThreshold < AGGRESSIVE) {
      this.skipped.costly++;
      return;
    }
    const refused =
      (this.s.balanceBy === "vmHappiness" ? lowersHappiness(this.snap, movers, to) : undefined) ??
      (movers.length === 1
        ? refusal(this.snap, movers[0], to)
        : (refusal(this.snap, movers[0], movers[1].host) ?? refusal(this.snap, movers[1], movers[0].host)));
    if (refused !== undefined) {
      this.skipped.refused++;
      this.skipped.example ??= refused;
      return;
    }
    this.best = { movers, to, after, gain, cost: cb.cost, benefit: cb.benefit };
    this.bestAfter = after;
  }
}

/** Why a candidate would lower the lower modelled VM DRS score of its two hosts (happiness.ts), or undefined. */
function lowersHappiness(snap: ClusterSnapshot, movers: Mover[], to: number): string | undefined {
  const from = movers[0].host;
  const cpu = movers[0].wantCpu - (movers[1]?.wantCpu ?? 0);
  const memory = movers[0].wantMemory - (movers[1]?.wantMemory ?? 0);
  const a = snap.slotOf(from);
  const b = snap.slotOf(to);
  const before = Math.min(hostScoreIf(snap.wants, a), hostScoreIf(snap.wants, b));
  const after = Math.min(hostScoreIf(snap.wants, a, -cpu, -memory), hostScoreIf(snap.wants, b, cpu, memory));
  if (after >= before) return undefined;
  const what = `${movers[0].unit.map((v) => snap.vmName(v)).join(" + ")} to ${snap.hostName(to)}`;
  return `${what}: lowers the modelled VM DRS score on ${snap.hostName(from)} and ${snap.hostName(to)} from ${Math.round(before)} to ${Math.round(after)}`;
}

/** Hosts from the most loaded down (`hot`) and from the least loaded up (`cold`), ties by name. */
function ranked(snap: ClusterSnapshot): { hot: number[]; cold: number[] } {
  const scored = snap.active.map((h) => ({ h, e: excess(snap, h) }));
  return {
    hot: [...scored].sort((a, b) => b.e - a.e || a.h - b.h).map((x) => x.h),
    cold: [...scored].sort((a, b) => a.e - b.e || a.h - b.h).map((x) => x.h),
  };
}

/** The best single move from the most loaded hosts to `targets`. */
function bestMove(
  snap: ClusterSnapshot,
  s: BalanceSettings,
  cache: Movers,
  search: Search,
  order: readonly number[],
  targets: readonly number[],
): void {
  const breadth = s.breadth ?? BREADTH;
  let scanned = 0;
  for (const from of order) {
    if (Number.isFinite(breadth) && (excess(snap, from) <= 0 || (scanned >= breadth && search.best))) break;
    scanned++;
    const fromSlot = snap.slotOf(from);
    const movers = cache.of(from, search.skipped);
    if (movers.length === 0) continue;
    const [cpuLow, cpuHigh, memoryLow, memoryHigh] = cache.extent(from);
    // The best candidate only improves, so a pair that cannot win now never can in this search.
    const open = targets.filter((to) => to !== from && search.mayImprove(from, to, [cpuLow, cpuHigh], [memoryLow, memoryHigh]));
    if (open.length === 0) continue;
    for (const m of movers) {
      for (const to of open) {
        const after = snap.load.imbalanceIf(fromSlot, snap.slotOf(to), m.cpu, m.memory);
        if (after < search.bestAfter) search.consider([m], to, after);
      }
    }
  }
}

/** The best swap between one of the most loaded hosts and one of the least loaded. */
function bestSwap(
  snap: ClusterSnapshot,
  s: BalanceSettings,
  cache: Movers,
  search: Search,
  order: { hot: number[]; cold: number[] },
): void {
  const breadth = Math.min(s.breadth ?? BREADTH, order.hot.length);
  const quiet = noneSkipped();
  for (const a of order.hot.slice(0, breadth)) {
    for (const b of order.cold.slice(0, breadth)) {
      if (b === a) continue;
      const fromA = cache.of(a, quiet);
      const fromB = cache.of(b, quiet);
      if (fromA.length === 0 || fromB.length === 0) continue;
      // A swap moves u - w from a to b: the ranges run from a's least less b's most to a's most less b's least.
      const [aCpuLow, aCpuHigh, aMemoryLow, aMemoryHigh] = cache.extent(a);
      const [bCpuLow, bCpuHigh, bMemoryLow, bMemoryHigh] = cache.extent(b);
      const cpu = [aCpuLow - bCpuHigh, aCpuHigh - bCpuLow] as const;
      if (!search.mayImprove(a, b, cpu, [aMemoryLow - bMemoryHigh, aMemoryHigh - bMemoryLow])) continue;
      for (const u of fromA) {
        if (!search.mayImprove(a, b, [u.cpu - bCpuHigh, u.cpu - bCpuLow], [u.memory - bMemoryHigh, u.memory - bMemoryLow])) continue;
        for (const w of fromB) {
          const after = snap.load.imbalanceIf(snap.slotOf(a), snap.slotOf(b), u.cpu - w.cpu, u.memory - w.memory);
          if (after < search.bestAfter) search.consider([u, w], b, after);
        }
      }
    }
  }
}

function describeHost(snap: ClusterSnapshot, host: number): string {
  const slot = snap.slotOf(host);
  return `${snap.hostName(host)} ${pct(snap.load.normalized(slot, 0))} cpu / ${pct(snap.load.normalized(slot, 1))} memory`;
}

function findBest(snap: ClusterSnapshot, s: BalanceSettings, cache: Movers, imbalance: number, budget: number): Search {
  const order = ranked(snap);
  const breadth = s.breadth ?? BREADTH;
  let search = new Search(snap, s, imbalance, noneSkipped(), budget);
  bestMove(snap, s, cache, search, order.hot, order.cold.slice(0, breadth));
  if (!search.best && breadth < order.cold.length) {
    search = new Search(snap, s, imbalance, noneSkipped(), budget);
    bestMove(snap, s, cache, search, order.hot, order.cold);
  }
  if (!search.best) bestSwap(snap, s, cache, search, order);
  return search;
}

/** Balances the snapshot, appending the moves (`movedBefore` of this pass's budget already spent); returns why it stopped. */
export function balance(snap: ClusterSnapshot, s: BalanceSettings, target: number, moves: PlannedMove[], movedBefore = 0): string {
  const hosts = snap.active.length;
  if (s.migrationThreshold === 1) return "migration threshold 1 applies mandatory moves only";
  if (hosts < 2) return "fewer than two connected hosts: nothing to balance";
  let moved = movedBefore;
  const cache = new Movers(snap, s);
  for (;;) {
    const imbalance = snap.load.imbalance();
    const goal = `the target ${formatImbalance(target)}`;
    if (imbalance <= target)
      return `imbalance ${formatImbalance(imbalance)} is within ${goal} of threshold ${s.migrationThreshold} over ${hosts} hosts`;
    if (moved >= s.maxMovesPerPass)
      return `imbalance ${formatImbalance(imbalance)} is above ${goal} but the limit of ${s.maxMovesPerPass} load-balancing moves per pass was reached`;
    const { best, skipped } = findBest(snap, s, cache, imbalance, s.maxMovesPerPass - moved);
    if (!best) {
      const notes = [
        skipped.cooling ? `${skipped.cooling} VMs cooling down after a recent move` : "",
        skipped.pinned ? `${skipped.pinned} pinned` : "",
        skipped.migrating ? `${skipped.migrating} already migrating or moved in this pass` : "",
        skipped.costly ? `${skipped.costly} candidate moves cost more than they gain` : "",
        skipped.refused ? `${skipped.refused} candidate moves refused by placement, e.g. ${skipped.example}` : "",
      ].filter(Boolean);
      const pays = s.migrationThreshold < AGGRESSIVE ? " and pays for itself" : "";
      return `imbalance ${formatImbalance(imbalance)} is above ${goal} but no move closes a load gap of at least ${s.minGain}${pays}${notes.length ? ` (${notes.join(", ")})` : ""}`;
    }
    const [first, second] = best.movers;
    const to = best.to;
    const common =
      `imbalance ${formatImbalance(imbalance)} -> ${formatImbalance(best.after)} (target ${formatImbalance(target)}); ` +
      `entitled on ${describeHost(snap, first.host)}, on ${describeHost(snap, to)}; load gap closed ${formatImbalance(best.gain)}; ` +
      `migration about ${Math.round(best.movers.reduce((t, m) => t + m.seconds, 0))} s (cost ${formatImbalance(best.cost)} ${best.cost <= best.benefit ? "<=" : "> (threshold 5 moves anyway)"} benefit ${formatImbalance(best.benefit)})`;
    const priority = balancePriority(imbalance, hosts);
    if (second) {
      const names = (m: Mover) => m.unit.map((v) => snap.vmName(v)).join(" + ");
      const fromFirst = first.host;
      moveUnit(snap, first.unit, second.host, priority, `load balancing, swap with ${names(second)}: ${common}`, moves);
      moveUnit(snap, second.unit, fromFirst, priority, `load balancing, swap with ${names(first)}: ${common}`, moves);
    } else {
      moveUnit(snap, first.unit, to, priority, `load balancing: ${common}`, moves);
    }
    moved += best.movers.reduce((n, m) => n + m.unit.length, 0);
    cache.changed(first.host, to);
  }
}
