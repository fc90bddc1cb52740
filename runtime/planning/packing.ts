/**
 * Vector bin packing: every item has a whole-number size in each dimension (CPU MHz and memory MB,
 * or one pair per time slot for peak-aligned demand), and a bin's sum in each dimension must stay
 * within its capacity. Bins come from a supply: identical bins as many as needed, or given bins of
 * different sizes (existing hosts) opened largest first, optionally followed by as many identical
 * bins as needed (new hosts). Feasibility is integer arithmetic, so a packing is exact; only the
 * heuristics' scores use normalized (fractional) sizes.
 *
 * Heuristics, all run and the best kept (fewest unplaced items, then fewest added bins, then fewest
 * bins; ties: the earlier in this list):
 * - First Fit Decreasing by largest normalized dimension, the baseline;
 * - bin-centric Dot Product and L2-norm fitting (Panigrahy, Talwar, Uyeda, Wieder, "Heuristics for
 *   Vector Bin Packing", Microsoft Research 2011): fill one bin at a time with the item that best
 *   matches its residual capacity;
 * then a local improvement that empties the least-loaded bin into the others (best fit) while it can.
 * Small inputs are solved exactly by branch and bound. Everything is deterministic: ties go to names.
 */
import { compareNames } from "../core/kernel/model";
import { type Bins, type PackItem, supplyOf } from "./bin-supply";
import { packingLowerBound } from "./packing-bounds";

export interface Packing {
  /** Item indexes per bin; bins in the order opened, items in the order placed. */
  bins: number[][];
  /** Each bin's place in the supply: an index into `fixed`, or `fixed.length + k` for the k-th added bin. */
  slots: number[];
  /** Items no bin could take (only when the supply has no added bins). */
  unplaced: number[];
  heuristic: string;
}

export interface PackResult extends Packing {
  /** A lower bound on the bins any packing of the placed items needs. */
  lowerBound: number;
  /** Whether `bins` is proven best (it meets the lower bound, or branch and bound finished). */
  optimal: boolean;
  /** Bins each heuristic used, for reports and benchmarks. */
  byHeuristic: Record<string, number>;
}

/** Inputs up to this many items are solved exactly. */
export const EXACT_MAX_ITEMS = 12;
/** Branch and bound gives up (keeping the heuristic's answer) after this many nodes. */
const EXACT_NODE_LIMIT = 200_000;

/** The supply resolved for the heuristics: each slot's capacity and the order fixed bins open in. */
class Supply {
  readonly dims: number;
  readonly fixed: readonly (readonly number[])[];
  readonly extra: readonly number[] | undefined;
  /** Fixed slots, largest first (sum of shares of the reference capacity), ties in the given order. */
  readonly order: number[];
  /** The largest capacity per dimension: sizes are normalized by it to order items. */
  readonly reference: number[];

  constructor(bins: Bins) {
    const s = supplyOf(bins);
    this.fixed = s.fixed;
    this.extra = s.extra;
    const all = s.extra ? [...s.fixed, s.extra] : [...s.fixed];
    if (all.length === 0) throw new Error("internal: a supply without bins");
    this.dims = all[0].length;
    if (all.some((c) => c.length !== this.dims)) throw new Error("internal: bins of different dimensions");
    this.reference = Array.from({ length: this.dims }, (_, d) => Math.max(...all.map((c) => c[d])));
    const weight = s.fixed.map((c) => shareSum(c, this.reference));
    this.order = s.fixed.map((_, k) => k).sort((a, b) => weight[b] - weight[a] || a - b);
  }

  capacity(slot: number): readonly number[] {
    return slot < this.fixed.length ? this.fixed[slot] : this.extra!;
  }

  /** Bins added beyond the fixed ones in a packing. */
  added(p: Packing): number {
    return p.slots.filter((s) => s >= this.fixed.length).length;
  }

  /** Whether `a` is a better packing than `b`: fewer unplaced items, then fewer added bins, then fewer bins. */
  better(a: Packing, b: Packing): boolean {
    return (a.unplaced.length - b.unplaced.length || this.added(a) - this.added(b) || a.bins.length - b.bins.length) < 0;
  }
}

function shareSum(v: readonly number[], reference: readonly number[]): number {
  let sum = 0;
  for (let d = 0; d < v.length; d++) sum += reference[d] > 0 ? v[d] / reference[d] : 0;
  return sum;
}

/** Sizes as one flat array (item-major), for the scans that run n x bins times. */
function flatSizes(items: readonly PackItem[], dims: number): Float64Array {
  const flat = new Float64Array(items.length * dims);
  items.forEach((it, i) => flat.set(it.size, i * dims));
  return flat;
}

function fitsEmpty(size: Float64Array, i: number, capacity: readonly number[]): boolean {
  const dims = capacity.length;
  for (let d = 0; d < dims; d++) if (size[i * dims + d] > capacity[d]) return false;
  return true;
}

/** Open bins on flat arrays: loads and capacities (bin-major), items and supply slots. */
class OpenBins {
  loads: Float64Array;
  caps: Float64Array;
  readonly bins: number[][] = [];
  readonly slots: number[] = [];
  private readonly openedFixed: Uint8Array;
  private added = 0;

  constructor(
    readonly supply: Supply,
    readonly size: Float64Array,
  ) {
    this.loads = new Float64Array(64 * supply.dims);
    this.caps = new Float64Array(64 * supply.dims);
    this.openedFixed = new Uint8Array(supply.fixed.length);
  }

  get count(): number {
    return this.bins.length;
  }

  fits(b: number, i: number): boolean {
    const dims = this.supply.dims;
    const at = b * dims;
    const it = i * dims;
    for (let d = 0; d < dims; d++) if (this.loads[at + d] + this.size[it + d] > this.caps[at + d]) return false;
    return true;
  }

  add(b: number, i: number): void {
    const dims = this.supply.dims;
    this.bins[b].push(i);
    for (let d = 0; d < dims; d++) this.loads[b * dims + d] += this.size[i * dims + d];
  }

  /** The next slot to open that can take one of `candidates` (the first fixed in order, else an added bin); -1 when none. */
  nextSlot(candidates: ArrayLike<number>): number {
    const fitsAny = (cap: readonly number[]) => {
      for (let k = 0; k < candidates.length; k++) if (fitsEmpty(this.size, candidates[k], cap)) return true;
      return false;
    };
    for (const slot of this.supply.order) if (!this.openedFixed[slot] && fitsAny(this.supply.fixed[slot])) return slot;
    return this.supply.extra && fitsAny(this.supply.extra) ? this.supply.fixed.length + this.added : -1;
  }

  open(slot: number): number {
    const dims = this.supply.dims;
    if ((this.bins.length + 1) * dims > this.loads.length) {
      const grow = (a: Float64Array) => {
        const grown = new Float64Array(a.length * 2);
        grown.set(a);
        return grown;
      };
      this.loads = grow(this.loads);
      this.caps = grow(this.caps);
    }
    if (slot < this.supply.fixed.length) this.openedFixed[slot] = 1;
    else this.added++;
    this.caps.set(this.supply.capacity(slot), this.bins.length * dims);
    this.bins.push([]);
    this.slots.push(slot);
    return this.bins.length - 1;
  }
}

/** An item's largest dimension as a share of the reference capacity, then the sum of shares: the "decreasing" order. */
function decreasingOrder(items: readonly PackItem[], reference: readonly number[]): number[] {
  const key = items.map((it) => {
    let max = 0;
    let sum = 0;
    it.size.forEach((s, d) => {
      const share = reference[d] > 0 ? s / reference[d] : 0;
      max = Math.max(max, share);
      sum += share;
    });
    return { max, sum };
  });
  return items
    .map((_, i) => i)
    .sort((a, b) => key[b].max - key[a].max || key[b].sum - key[a].sum || compareNames(items[a].name, items[b].name));
}

/** Packs `items` into the bins; throws if an item alone exceeds the largest bin (callers check first). */
export function pack(items: readonly PackItem[], bins: Bins): PackResult {
  const supply = new Supply(bins);
  for (const item of items) {
    if (item.size.length !== supply.dims) throw new Error(`internal: ${item.name} has ${item.size.length} dimensions, bins ${supply.dims}`);
    if (item.size.some((s, d) => s < 0 || s > supply.reference[d])) throw new Error(`internal: ${item.name} exceeds every bin`);
  }
  const candidates: Packing[] = [firstFitDecreasing(items, bins), binCentric(items, bins, "dotProduct"), binCentric(items, bins, "l2Norm")];
  const byHeuristic: Record<string, number> = {};
  for (const c of candidates) byHeuristic[c.heuristic] = c.bins.length;
  let best = candidates.reduce((a, b) => (supply.better(b, a) ? b : a));
  const improved = improveByEmptying(best, items, bins);
  byHeuristic.localImprovement = improved.bins.length;
  if (supply.better(improved, best)) best = improved;
  const placed = best.unplaced.length === 0 ? items : best.bins.flat().map((i) => items[i]);
  const lowerBound = packingLowerBound(placed, bins);
  let optimal = best.bins.length <= lowerBound && supply.added(best) === 0;
  if (!optimal && best.unplaced.length === 0 && items.length <= EXACT_MAX_ITEMS) {
    const exact = branchAndBound(items, bins, best);
    if (exact.complete) {
      optimal = true;
      if (exact.packing) best = exact.packing;
    }
  }
  // A finished search proves the fewest bins only when every bin counts alike (no fixed bins to prefer).
  const proven = optimal && supply.fixed.length === 0;
  return { ...best, lowerBound: proven ? best.bins.length : lowerBound, optimal, byHeuristic };
}

function packing(open: OpenBins, unplaced: number[], heuristic: string): Packing {
  return { bins: open.bins, slots: open.slots, unplaced, heuristic };
}

export function firstFitDecreasing(items: readonly PackItem[], bins: Bins): Packing {
  const supply = new Supply(bins);
  const open = new OpenBins(supply, flatSizes(items, supply.dims));
  const unplaced: number[] = [];
  for (const i of decreasingOrder(items, supply.reference)) {
    let b = 0;
    while (b < open.count && !open.fits(b, i)) b++;
    if (b === open.count) {
      const slot = open.nextSlot([i]);
      if (slot < 0) {
        unplaced.push(i);
        continue;
      }
      open.open(slot);
    }
    open.add(b, i);
  }
  return packing(open, unplaced, "firstFitDecreasing");
}

/**
 * Bin-centric fitting: open a bin and keep adding the unplaced item that fits and scores best
 * against the bin's residual capacity r (normalized by the bin's own capacity): dot product
 * sum(s_d * r_d), highest wins; or L2 norm sum((r_d - s_d)^2), lowest wins. Ties: the larger item,
 * then the name.
 */
export function binCentric(items: readonly PackItem[], bins: Bins, rule: "dotProduct" | "l2Norm"): Packing {
  const supply = new Supply(bins);
  const dims = supply.dims;
  const size = flatSizes(items, dims);
  const open = new OpenBins(supply, size);
  // In decreasing order, so a strict improvement keeps the larger item, then the earlier name.
  let remaining = Int32Array.from(decreasingOrder(items, supply.reference));
  const placed = new Uint8Array(items.length);
  const norm = new Float64Array(size.length);
  const residual = new Float64Array(dims);
  const dot = rule === "dotProduct";
  let normFor: readonly number[] | undefined;
  while (remaining.length > 0) {
    const slot = open.nextSlot(remaining);
    if (slot < 0) break;
    const b = open.open(slot);
    const capacity = supply.capacity(slot);
    if (normFor !== capacity) {
      for (let k = 0; k < size.length; k++) norm[k] = capacity[k % dims] > 0 ? size[k] / capacity[k % dims] : 0;
      normFor = capacity;
    }
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
        if (!open.fits(b, i)) continue;
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
      open.add(b, i);
      for (let d = 0; d < dims; d++) residual[d] = capacity[d] > 0 ? (capacity[d] - open.loads[b * dims + d]) / capacity[d] : 0;
    }
    remaining = remaining.filter((i) => placed[i] === 0);
  }
  return packing(
    open,
    Array.from(remaining).sort((a, b) => a - b),
    rule,
  );
}

/**
 * Local improvement: take the least-loaded bin (added bins before fixed ones) and try to place each
 * of its items (largest first) in another bin, the one it leaves fullest (best fit); if every item
 * finds a place the bin is gone. Repeats until no bin can be emptied.
 */
export function improveByEmptying(start: Packing, items: readonly PackItem[], bins: Bins): Packing {
  const supply = new Supply(bins);
  const dims = supply.dims;
  const size = flatSizes(items, dims);
  const contents = start.bins.map((b) => [...b]);
  const caps = start.slots.map((s) => supply.capacity(s));
  const loads = new Float64Array(contents.length * dims);
  contents.forEach((b, k) =>
    b.forEach((i) => {
      for (let d = 0; d < dims; d++) loads[k * dims + d] += size[i * dims + d];
    }),
  );
  const fits = (b: number, i: number) => {
    for (let d = 0; d < dims; d++) if (loads[b * dims + d] + size[i * dims + d] > caps[b][d]) return false;
    return true;
  };
  const shareOf = (b: number) => {
    let sum = 0;
    for (let d = 0; d < dims; d++) sum += caps[b][d] > 0 ? loads[b * dims + d] / caps[b][d] : 0;
    return sum;
  };
  const share = Float64Array.from(contents, (_, b) => shareOf(b));
  const itemShare = Float64Array.from(items, (_, i) => {
    let sum = 0;
    for (let d = 0; d < dims; d++) sum += supply.reference[d] > 0 ? size[i * dims + d] / supply.reference[d] : 0;
    return sum;
  });
  const isAdded = start.slots.map((s) => (s >= supply.fixed.length ? 0 : 1));
  const tried = new Uint8Array(contents.length);
  for (;;) {
    let victim = -1;
    for (let b = 0; b < contents.length; b++) {
      if (tried[b] || contents[b].length === 0) continue;
      if (victim < 0 || isAdded[b] < isAdded[victim] || (isAdded[b] === isAdded[victim] && share[b] < share[victim])) victim = b;
    }
    if (victim < 0) break;
    tried[victim] = 1;
    const ordered = [...contents[victim]].sort((a, b) => itemShare[b] - itemShare[a] || compareNames(items[a].name, items[b].name));
    const moves: [number, number][] = [];
    for (const i of ordered) {
      let target = -1;
      let targetShare = -Infinity;
      for (let b = 0; b < contents.length; b++) {
        if (b === victim || contents[b].length === 0 || share[b] <= targetShare || !fits(b, i)) continue;
        target = b;
        targetShare = share[b];
      }
      if (target < 0) break;
      for (let d = 0; d < dims; d++) loads[target * dims + d] += size[i * dims + d];
      share[target] = shareOf(target);
      moves.push([i, target]);
    }
    if (moves.length < ordered.length) {
      // Undo the tentative moves: the bin stays.
      for (const [i, b] of moves) {
        for (let d = 0; d < dims; d++) loads[b * dims + d] -= size[i * dims + d];
        share[b] = shareOf(b);
      }
      continue;
    }
    for (const [i, b] of moves) contents[b].push(i);
    contents[victim] = [];
    loads.fill(0, victim * dims, (victim + 1) * dims);
    tried.fill(0);
  }
  const kept = contents.map((_, b) => b).filter((b) => contents[b].length > 0);
  return {
    bins: kept.map((b) => contents[b]),
    slots: kept.map((b) => start.slots[b]),
    unplaced: [...start.unplaced],
    heuristic: `${start.heuristic}+localImprovement`,
  };
}

/**
 * Exact best packing by depth-first branch and bound: items in decreasing order, each into an open
 * bin or a new one (one per distinct capacity among the fixed bins not yet open, and one added bin:
 * equal new bins are one choice, for symmetry), pruned at the best cost found. The cost counts an
 * added bin above all the fixed ones, so fixed bins are used first. Returns a packing only if it
 * beats `upper`; `complete` says whether the search finished within its budget.
 */
export function branchAndBound(items: readonly PackItem[], bins: Bins, upper: Packing): { complete: boolean; packing?: Packing } {
  const supply = new Supply(bins);
  const fixedCount = supply.fixed.length;
  const cost = (slots: readonly number[]) => slots.reduce((sum, s) => sum + (s >= fixedCount ? fixedCount + 1 : 1), 0);
  const order = decreasingOrder(items, supply.reference);
  const lower = packingLowerBound(items, bins);
  let best = cost(upper.slots);
  let found: Packing | undefined;
  const contents: number[][] = [];
  const slots: number[] = [];
  const loads: number[][] = [];
  const opened = new Uint8Array(fixedCount);
  let nodes = 0;
  let complete = true;
  const fits = (load: readonly number[], size: readonly number[], cap: readonly number[]) => size.every((s, d) => load[d] + s <= cap[d]);
  const search = (k: number, spent: number): void => {
    if (!complete || best <= lower) return;
    if (++nodes > EXACT_NODE_LIMIT) {
      complete = false;
      return;
    }
    if (k === order.length) {
      if (spent < best) {
        best = spent;
        found = { bins: contents.map((b) => [...b]), slots: [...slots], unplaced: [], heuristic: "exact" };
      }
      return;
    }
    const i = order[k];
    const size = items[i].size;
    for (let b = 0; b < contents.length; b++) {
      if (!fits(loads[b], size, supply.capacity(slots[b]))) continue;
      contents[b].push(i);
      size.forEach((s, d) => (loads[b][d] += s));
      search(k + 1, spent);
      size.forEach((s, d) => (loads[b][d] -= s));
      contents[b].pop();
    }
    const added = slots.filter((s) => s >= fixedCount).length;
    const choices = supply.order.filter(
      (s, n) => !opened[s] && !supply.order.slice(0, n).some((t) => !opened[t] && sameCapacity(supply.fixed[t], supply.fixed[s])),
    );
    if (supply.extra) choices.push(fixedCount + added);
    for (const slot of choices) {
      const price = slot >= fixedCount ? fixedCount + 1 : 1;
      if (spent + price >= best || !fits(new Array(size.length).fill(0), size, supply.capacity(slot))) continue;
      if (slot < fixedCount) opened[slot] = 1;
      contents.push([i]);
      slots.push(slot);
      loads.push([...size]);
      search(k + 1, spent + price);
      contents.pop();
      slots.pop();
      loads.pop();
      if (slot < fixedCount) opened[slot] = 0;
    }
  };
  search(0, 0);
  return { complete, packing: found };
}

function sameCapacity(a: readonly number[], b: readonly number[]): boolean {
  return a.every((v, d) => v === b[d]);
}
