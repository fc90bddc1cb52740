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
import { compareNames } from "../core/kernel/model";

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
    if (item.size.length !== capacity.length)
      throw new Error(`internal: ${item.name} has ${item.size.length} dimensions, bins ${capacity.length}`);
    if (!fitsEmpty(item.size, capacity)) throw new Error(`internal: ${item.name} exceeds the bin capacity`);
  }
  const lowerBound = packingLowerBound(items, capacity);
  const candidates: Packing[] = [
    firstFitDecreasing(items, capacity),
    binCentric(items, capacity, "dotProduct"),
    binCentric(items, capacity, "l2Norm"),
  ];
  const byHeuristic: Record<string, number> = {};
  for (const c of candidates) byHeuristic[c.heuristic] = c.bins.length;
  let best = candidates.reduce((a, b) => (b.bins.length < a.bins.length ? b : a));
  const improved = improveByEmptying(best, items, capacity);
  byHeuristic.localImprovement = improved.bins.length;
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

/** Sizes as one flat array (item-major), for the scans that run n x bins times. */
function flatSizes(items: readonly PackItem[], dims: number): Float64Array {
  const flat = new Float64Array(items.length * dims);
  items.forEach((it, i) => flat.set(it.size, i * dims));
  return flat;
}

/** Whether item `i` fits a bin whose load starts at `at` in `loads`. */
function fitsFlat(loads: Float64Array, at: number, size: Float64Array, i: number, capacity: readonly number[]): boolean {
  const dims = capacity.length;
  for (let d = 0; d < dims; d++) if (loads[at + d] + size[i * dims + d] > capacity[d]) return false;
  return true;
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
  const dims = capacity.length;
  const size = flatSizes(items, dims);
  const bins: number[][] = [];
  let loads = new Float64Array(64 * dims);
  for (const i of decreasingOrder(items, capacity)) {
    let b = 0;
    while (b < bins.length && !fitsFlat(loads, b * dims, size, i, capacity)) b++;
    if (b === bins.length) {
      bins.push([]);
      if (bins.length * dims > loads.length) {
        const grown = new Float64Array(loads.length * 2);
        grown.set(loads);
        loads = grown;
      }
    }
    bins[b].push(i);
    for (let d = 0; d < dims; d++) loads[b * dims + d] += size[i * dims + d];
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
  const size = flatSizes(items, dims);
  const norm = new Float64Array(size.length);
  for (let k = 0; k < size.length; k++) norm[k] = capacity[k % dims] > 0 ? size[k] / capacity[k % dims] : 0;
  // In decreasing order, so a strict improvement keeps the larger item, then the earlier name.
  let remaining = Int32Array.from(decreasingOrder(items, capacity));
  const placed = new Uint8Array(items.length);
  const bins: number[][] = [];
  const load = new Float64Array(dims);
  const residual = new Float64Array(dims);
  const dot = rule === "dotProduct";
  while (remaining.length > 0) {
    const bin: number[] = [];
    load.fill(0);
    residual.fill(1);
    // The bin only fills up: an item that does not fit now never will, so each scan keeps the ones that fit.
    const candidates = remaining.slice();
    let count = candidates.length;
    for (;;) {
      let best = -1;
      let bestScore = -Infinity;
      let kept = 0;
      for (let k = 0; k < count; k++) {
        const i = candidates[k];
        if (!fitsFlat(load, 0, size, i, capacity)) continue;
        candidates[kept] = i;
        let score = 0;
        const at = i * dims;
        if (dot) for (let d = 0; d < dims; d++) score += norm[at + d] * residual[d];
        else
          for (let d = 0; d < dims; d++) {
            const gap = residual[d] - norm[at + d];
            score -= gap * gap;
          }
        if (score > bestScore + 1e-12) {
          best = kept;
          bestScore = score;
        }
        kept++;
      }
      count = kept;
      if (best < 0) break;
      const i = candidates[best];
      candidates.copyWithin(best, best + 1, count);
      count--;
      placed[i] = 1;
      bin.push(i);
      for (let d = 0; d < dims; d++) {
        load[d] += size[i * dims + d];
        residual[d] = capacity[d] > 0 ? (capacity[d] - load[d]) / capacity[d] : 0;
      }
    }
    bins.push(bin);
    remaining = remaining.filter((i) => placed[i] === 0);
  }
  return { bins, heuristic: rule };
}

/**
 * Local improvement: take the least-loaded bin and try to place each of its items (largest first)
 * in another bin, the one it leaves fullest (best fit); if every item finds a place the bin is
 * gone. Repeats until the least-loaded bin cannot be emptied.
 */
export function improveByEmptying(start: Packing, items: readonly PackItem[], capacity: readonly number[]): Packing {
  const dims = capacity.length;
  const size = flatSizes(items, dims);
  const bins = start.bins.map((b) => [...b]);
  const loads = new Float64Array(bins.length * dims);
  const shareOf = (load: ArrayLike<number>, at: number) => {
    let sum = 0;
    for (let d = 0; d < dims; d++) sum += capacity[d] > 0 ? load[at + d] / capacity[d] : 0;
    return sum;
  };
  bins.forEach((b, k) =>
    b.forEach((i) => {
      for (let d = 0; d < dims; d++) loads[k * dims + d] += size[i * dims + d];
    }),
  );
  const share = Float64Array.from(bins, (_, k) => shareOf(loads, k * dims));
  const itemShare = Float64Array.from(items, (_, i) => shareOf(size, i * dims));
  const tried = new Uint8Array(bins.length);
  for (;;) {
    let victim = -1;
    for (let b = 0; b < bins.length; b++) {
      if (tried[b] || bins[b].length === 0) continue;
      if (victim < 0 || share[b] < share[victim]) victim = b;
    }
    if (victim < 0) break;
    tried[victim] = 1;
    const ordered = [...bins[victim]].sort((a, b) => itemShare[b] - itemShare[a] || compareNames(items[a].name, items[b].name));
    const moves: [number, number][] = [];
    for (const i of ordered) {
      let target = -1;
      let targetShare = -Infinity;
      for (let b = 0; b < bins.length; b++) {
        if (b === victim || bins[b].length === 0 || share[b] <= targetShare || !fitsFlat(loads, b * dims, size, i, capacity)) continue;
        target = b;
        targetShare = share[b];
      }
      if (target < 0) break;
      for (let d = 0; d < dims; d++) loads[target * dims + d] += size[i * dims + d];
      share[target] += itemShare[i];
      moves.push([i, target]);
    }
    if (moves.length < ordered.length) {
      // Undo the tentative moves: the bin stays.
      for (const [i, b] of moves) {
        for (let d = 0; d < dims; d++) loads[b * dims + d] -= size[i * dims + d];
        share[b] = shareOf(loads, b * dims);
      }
      continue;
    }
    for (const [i, b] of moves) bins[b].push(i);
    bins[victim] = [];
    tried.fill(0);
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

/** Index of the first value in sorted `xs` above `v`. */
function firstAbove(xs: Float64Array, v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * L2 = max over k in [0, C/2] of |J1| + |J2| + max(0, ceil((sum J3 - (|J2| C - sum J2)) / C)), with
 * J1 the items above C - k, J2 those in (C/2, C - k], J3 those in [k, C/2]; each k in O(log n) by
 * binary search over the sorted sizes and their prefix sums.
 */
export function martelloTothL2(sizes: readonly number[], cap: number): number {
  if (cap <= 0) return 0;
  const sorted = Float64Array.from(sizes).sort();
  const n = sorted.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + sorted[i];
  let best = Math.ceil(prefix[n] / cap - 1e-9);
  const half = firstAbove(sorted, cap / 2);
  // Candidate thresholds: 0 and each distinct size up to half a bin.
  for (let j = -1; j < half; j++) {
    const k = j < 0 ? 0 : sorted[j];
    if (j > 0 && sorted[j] === sorted[j - 1]) continue;
    const fromK = Math.max(j, 0);
    const aboveCapK = Math.max(half, firstAbove(sorted, cap - k));
    const j1 = n - aboveCapK;
    const j2 = aboveCapK - half;
    const sumJ2 = prefix[aboveCapK] - prefix[half];
    const sumJ3 = prefix[half] - prefix[fromK];
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
export function branchAndBound(
  items: readonly PackItem[],
  capacity: readonly number[],
  upper: number,
): { complete: boolean; packing?: Packing } {
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
