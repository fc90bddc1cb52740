/**
 * Vector bin packing into identical bins: every item has a whole-number size in each dimension
 * (CPU MHz and memory MB, or one pair per time slot for peak-aligned demand), and a bin's sum in
 * each dimension must stay within its capacity. Feasibility is integer arithmetic, so a packing is
 * exact; only the heuristics' scores use normalized (fractional) sizes.
 *
 * Heuristics, all run and the fewest bins kept (ties: the earlier in this list):
 * - First Fit Decreasing by largest normalized dimension, the baseline;
 * - bin-centric Dot Product and L2-norm fitting (Panigrahy, Talwar, Uyeda, Wieder, "Heuristics for
 *   Vector Bin Packing", Microsoft Research 2011): fill one bin at a time with the item that best
 *   matches its residual capacity;
 * then a local improvement that empties the least-loaded bin into the others (best fit) while it can.
 * Small inputs are solved exactly by branch and bound. Everything is deterministic: ties go to names.
 */
import { compareNames } from "../core/model";

export interface PackItem {
  name: string;
  /** Size per dimension, whole units, each within the bin's capacity. */
  size: readonly number[];
}

export interface Packing {
  /** Item indexes per bin; bins in the order opened, items in the order placed. */
  bins: number[][];
  heuristic: string;
}

export interface PackResult extends Packing {
  lowerBound: number;
  /** Whether `bins.length` is proven optimal (it equals the lower bound, or branch and bound finished). */
  optimal: boolean;
  /** Bins each heuristic used, for reports and benchmarks. */
  byHeuristic: Record<string, number>;
}

/** Inputs up to this many items are solved exactly. */
export const EXACT_MAX_ITEMS = 12;
/** Branch and bound gives up (keeping the heuristic's answer) after this many nodes. */
const EXACT_NODE_LIMIT = 200_000;

/** Packs `items` into bins of `capacity`; throws if an item alone exceeds it (callers check first). */
export function pack(items: readonly PackItem[], capacity: readonly number[]): PackResult {
  for (const item of items) {
    if (item.size.length !== capacity.length) throw new Error(`internal: ${item.name} has ${item.size.length} dimensions, bins ${capacity.length}`);
    if (!fitsEmpty(item.size, capacity)) throw new Error(`internal: ${item.name} exceeds the bin capacity`);
  }
  const lowerBound = packingLowerBound(items, capacity);
  const candidates: Packing[] = [firstFitDecreasing(items, capacity), binCentric(items, capacity, "dotProduct"), binCentric(items, capacity, "l2Norm")];
  const byHeuristic: Record<string, number> = {};
  for (const c of candidates) byHeuristic[c.heuristic] = c.bins.length;
  let best = candidates.reduce((a, b) => (b.bins.length < a.bins.length ? b : a));
  const improved = improveByEmptying(best, items, capacity);
  byHeuristic["localImprovement"] = improved.bins.length;
  if (improved.bins.length < best.bins.length) best = improved;
  let optimal = best.bins.length <= lowerBound;
  if (!optimal && items.length <= EXACT_MAX_ITEMS) {
    const exact = branchAndBound(items, capacity, best.bins.length);
    if (exact.complete) {
      optimal = true;
      if (exact.packing && exact.packing.bins.length < best.bins.length) best = exact.packing;
    }
  }
  return { ...best, lowerBound: optimal ? best.bins.length : lowerBound, optimal, byHeuristic };
}

function fitsEmpty(size: readonly number[], capacity: readonly number[]): boolean {
  return size.every((s, d) => s >= 0 && s <= capacity[d]);
}

function fits(load: readonly number[], size: readonly number[], capacity: readonly number[]): boolean {
  for (let d = 0; d < capacity.length; d++) if (load[d] + size[d] > capacity[d]) return false;
  return true;
}

function addTo(load: number[], size: readonly number[], sign: 1 | -1 = 1): void {
  for (let d = 0; d < load.length; d++) load[d] += sign * size[d];
}

/** An item's largest dimension as a share of capacity, then the sum of shares: the "decreasing" order. */
function decreasingOrder(items: readonly PackItem[], capacity: readonly number[]): number[] {
  const key = items.map((it) => {
    let max = 0;
    let sum = 0;
    it.size.forEach((s, d) => {
      const share = capacity[d] > 0 ? s / capacity[d] : 0;
      max = Math.max(max, share);
      sum += share;
    });
    return { max, sum };
  });
  return items
    .map((_, i) => i)
    .sort((a, b) => key[b].max - key[a].max || key[b].sum - key[a].sum || compareNames(items[a].name, items[b].name));
}

export function firstFitDecreasing(items: readonly PackItem[], capacity: readonly number[]): Packing {
  const bins: number[][] = [];
  const loads: number[][] = [];
  for (const i of decreasingOrder(items, capacity)) {
    let b = loads.findIndex((load) => fits(load, items[i].size, capacity));
    if (b < 0) {
      b = bins.length;
      bins.push([]);
      loads.push(new Array(capacity.length).fill(0));
    }
    bins[b].push(i);
    addTo(loads[b], items[i].size, 1);
  }
  return { bins, heuristic: "firstFitDecreasing" };
}

/**
 * Bin-centric fitting: open a bin and keep adding the unplaced item that fits and scores best
 * against the bin's residual capacity r (normalized): dot product sum(s_d * r_d), highest wins; or
 * L2 norm sum((r_d - s_d)^2), lowest wins. Ties: the larger item, then the name.
 */
export function binCentric(items: readonly PackItem[], capacity: readonly number[], rule: "dotProduct" | "l2Norm"): Packing {
  const dims = capacity.length;
  const order = decreasingOrder(items, capacity);
  const norm = items.map((it) => it.size.map((s, d) => (capacity[d] > 0 ? s / capacity[d] : 0)));
  let remaining = order;
  const bins: number[][] = [];
  while (remaining.length > 0) {
    const bin: number[] = [];
    const load = new Array<number>(dims).fill(0);
    const residual = new Array<number>(dims).fill(1);
    for (;;) {
      let best = -1;
      let bestScore = 0;
      for (let k = 0; k < remaining.length; k++) {
        const i = remaining[k];
        if (i < 0 || !fits(load, items[i].size, capacity)) continue;
        const s = norm[i];
        let score = 0;
        if (rule === "dotProduct") for (let d = 0; d < dims; d++) score += s[d] * residual[d];
        else for (let d = 0; d < dims; d++) score -= (residual[d] - s[d]) ** 2;
        // `remaining` is in decreasing order, so a strict improvement keeps the larger, then the earlier name.
        if (best < 0 || score > bestScore + 1e-12) {
          best = k;
          bestScore = score;
        }
      }
      if (best < 0) break;
      const i = remaining[best];
      remaining[best] = -1;
      bin.push(i);
      addTo(load, items[i].size, 1);
      for (let d = 0; d < dims; d++) residual[d] = capacity[d] > 0 ? (capacity[d] - load[d]) / capacity[d] : 0;
    }
    bins.push(bin);
    remaining = remaining.filter((i) => i >= 0);
  }
  return { bins, heuristic: rule };
}

/**
 * Local improvement: take the least-loaded bin and try to place each of its items in another bin
 * (the fullest that fits: best fit); if every item finds a place the bin is
 * gone. Repeats until the least-loaded bin cannot be emptied.
 */
export function improveByEmptying(start: Packing, items: readonly PackItem[], capacity: readonly number[]): Packing {
  const bins = start.bins.map((b) => [...b]);
  const loads = bins.map((b) => {
    const load = new Array<number>(capacity.length).fill(0);
    for (const i of b) addTo(load, items[i].size, 1);
    return load;
  });
  const share = (load: number[]) => load.reduce((sum, v, d) => sum + (capacity[d] > 0 ? v / capacity[d] : 0), 0);
  const tried = new Set<number>();
  for (;;) {
    let victim = -1;
    for (let b = 0; b < bins.length; b++) {
      if (tried.has(b) || bins[b].length === 0) continue;
      if (victim < 0 || share(loads[b]) < share(loads[victim])) victim = b;
    }
    if (victim < 0) break;
    tried.add(victim);
    const moves: [number, number][] = [];
    const trial = loads.map((l) => [...l]);
    const ordered = [...bins[victim]].sort((a, b) => share([...items[b].size]) - share([...items[a].size]) || compareNames(items[a].name, items[b].name));
    let ok = true;
    for (const i of ordered) {
      let target = -1;
      let targetScore = -Infinity;
      for (let b = 0; b < bins.length; b++) {
        if (b === victim || bins[b].length === 0 || !fits(trial[b], items[i].size, capacity)) continue;
        // Best fit: the bin left with the smallest residual.
        const score = -share(trial[b].map((v, d) => capacity[d] - v - items[i].size[d]));
        if (score > targetScore) {
          target = b;
          targetScore = score;
        }
      }
      if (target < 0) {
        ok = false;
        break;
      }
      addTo(trial[target], items[i].size, 1);
      moves.push([i, target]);
    }
    if (!ok) continue;
    for (const [i, b] of moves) bins[b].push(i);
    bins[victim] = [];
    trial[victim] = new Array<number>(capacity.length).fill(0);
    for (let b = 0; b < bins.length; b++) loads[b] = trial[b];
    tried.clear();
  }
  return { bins: bins.filter((b) => b.length > 0), heuristic: `${start.heuristic}+localImprovement` };
}

/**
 * A lower bound on the bins any packing needs: per dimension, the larger of the volume bound
 * ceil(sum / capacity) (the LP relaxation of the assignment model) and Martello and Toth's L2 bound
 * for one-dimensional bin packing (Knapsack Problems, 1990, section 8.3.1), which counts the items
 * larger than half a bin that no two can share.
 */
export function packingLowerBound(items: readonly PackItem[], capacity: readonly number[]): number {
  let bound = items.length > 0 ? 1 : 0;
  for (let d = 0; d < capacity.length; d++) {
    const sizes = items.map((it) => it.size[d]);
    bound = Math.max(bound, martelloTothL2(sizes, capacity[d]));
  }
  return bound;
}

/** L2 = max over k in [0, C/2] of |J1| + |J2| + max(0, ceil((sum J3 - (|J2| C - sum J2)) / C)). */
export function martelloTothL2(sizes: readonly number[], cap: number): number {
  if (cap <= 0) return 0;
  const total = sizes.reduce((a, b) => a + b, 0);
  let best = Math.ceil(total / cap - 1e-9);
  const sorted = [...sizes].sort((a, b) => a - b);
  // Candidate thresholds: 0 and each distinct size up to half a bin.
  const ks = [0, ...new Set(sorted.filter((s) => s <= cap / 2))];
  for (const k of ks) {
    let j1 = 0;
    let j2 = 0;
    let sumJ2 = 0;
    let sumJ3 = 0;
    for (const s of sorted) {
      if (s > cap - k) j1++;
      else if (s > cap / 2) {
        j2++;
        sumJ2 += s;
      } else if (s >= k) sumJ3 += s;
    }
    const spill = Math.max(0, Math.ceil((sumJ3 - (j2 * cap - sumJ2)) / cap - 1e-9));
    best = Math.max(best, j1 + j2 + spill);
  }
  return best;
}

/**
 * Exact minimum by depth-first branch and bound: items in decreasing order, each into an open bin
 * or one new bin (never two equal new bins: symmetry), pruned at the best count found. Returns a
 * packing only if it beats `upper`; `complete` says whether the search finished within its budget.
 */
export function branchAndBound(items: readonly PackItem[], capacity: readonly number[], upper: number): { complete: boolean; packing?: Packing } {
  const order = decreasingOrder(items, capacity);
  const lower = packingLowerBound(items, capacity);
  let best = upper;
  let bestBins: number[][] | undefined;
  const bins: number[][] = [];
  const loads: number[][] = [];
  let nodes = 0;
  let complete = true;
  const search = (k: number): void => {
    if (!complete || best <= lower) return;
    if (++nodes > EXACT_NODE_LIMIT) {
      complete = false;
      return;
    }
    if (k === order.length) {
      if (bins.length < best) {
        best = bins.length;
        bestBins = bins.map((b) => [...b]);
      }
      return;
    }
    const i = order[k];
    for (let b = 0; b < bins.length; b++) {
      if (!fits(loads[b], items[i].size, capacity)) continue;
      bins[b].push(i);
      addTo(loads[b], items[i].size, 1);
      search(k + 1);
      addTo(loads[b], items[i].size, -1);
      bins[b].pop();
    }
    if (bins.length + 1 < best) {
      bins.push([i]);
      loads.push([...items[i].size]);
      search(k + 1);
      bins.pop();
      loads.pop();
    }
  };
  search(0);
  return { complete, packing: bestBins && { bins: bestBins, heuristic: "exact" } };
}
