/**
 * Lower bounds on the bins any vector packing needs: a volume bound, Martello and Toth's L2, and a
 * cardinality bound over surrogate sizes. The packer (packing.ts) reports its gap against them and
 * its exact search prunes with them.
 */
import { type Bins, type PackItem, supplyOf } from "./bin-supply";

/**
 * A lower bound on the bins any packing of `items` needs: the cardinality bound below, and per
 * dimension the larger of:
 * - the volume bound: the fewest bins whose capacities, largest first, add up to the items' total
 *   (the LP relaxation of the assignment model; ceil(sum / capacity) for identical bins);
 * - Martello and Toth's L2 bound for one-dimensional bin packing (Knapsack Problems, 1990, section
 *   8.3.1), which counts the items larger than half a bin that no two can share. With bins of
 *   different sizes it is taken at the largest capacity: enlarging every bin to it only helps a
 *   packing, so the bound stays valid.
 */
export function packingLowerBound(items: readonly PackItem[], bins: Bins): number {
  const supply = supplyOf(bins);
  if (items.length === 0) return 0;
  const dims = items[0].size.length;
  let bound = 1;
  for (let d = 0; d < dims; d++) {
    const sizes = items.map((it) => it.size[d]);
    const extra = supply.extra?.[d];
    const fixed = supply.fixed.map((c) => c[d]);
    const largest = Math.max(extra ?? 0, ...fixed);
    if (largest <= 0) continue;
    bound = Math.max(bound, martelloTothL2(sizes, largest), volumeBound(sizes, fixed, extra));
  }
  return Math.max(bound, cardinalityBound(items, bins));
}

/** Mixes of two dimensions tried by the cardinality bound: alpha in 0, 0.05, ..., 1. */
const MIX_STEPS = 20;
/** Item counts t tried by the cardinality bound: bins with fewer than t items, and the rest. */
const MAX_BIG_BIN_ITEMS = 8;

/**
 * A bound that sees both dimensions and how many items share a bin, for items that are large in one
 * dimension or the other. Surrogate sizes (the surrogate relaxation of Caprara and Toth, "Lower bounds
 * and algorithms for the 2-dimensional vector packing problem", Discrete Applied Mathematics 111,
 * 2001): w_i = alpha c_i / C + (1 - alpha) m_i / M, so a bin of capacity (C_b, M_b) holds at most
 * k_b = alpha C_b / C + (1 - alpha) M_b / M of w (1 for identical bins of (C, M)). For a count t,
 * call a bin big if it holds at least t items, and let Q (q items) be the items in big bins. The big
 * bins hold sum(w over Q) >= S(q), the sum of the q smallest w, so there are at least K(S(q)) of them,
 * K(x) being the fewest bins whose k_b, largest first, reach x; and at most q / t, so K(S(q)) <= q / t.
 * The other n - q items sit at most t - 1 to a bin. Any packing thus uses at least the minimum over q
 * with K(S(q)) <= q / t of ceil((n - q) / (t - 1)) + K(S(q)) bins. Per time slot the pair (CPU, memory)
 * is mixed; one dimension alone is alpha 0 or 1.
 */
export function cardinalityBound(items: readonly PackItem[], bins: Bins): number {
  const supply = supplyOf(bins);
  const n = items.length;
  if (n === 0) return 0;
  const all = supply.extra ? [...supply.fixed, supply.extra] : supply.fixed;
  const dims = items[0].size.length;
  // Sums of up to n fractions: a tolerance that only ever lowers the bound keeps it valid.
  const tolerance = 1e-9 * (n + 1);
  const w = new Float64Array(n);
  const prefix = new Float64Array(n + 1);
  let best = 0;
  for (let d = 0; d + 1 < dims; d += 2) {
    const c = Math.max(...all.map((cap) => cap[d]));
    const m = Math.max(...all.map((cap) => cap[d + 1]));
    if (c <= 0 || m <= 0) continue;
    for (let step = 0; step <= MIX_STEPS; step++) {
      const alpha = step / MIX_STEPS;
      const holds = (cap: readonly number[]) => (alpha * cap[d]) / c + ((1 - alpha) * cap[d + 1]) / m;
      const fewest = fewestBinsFor(supply.fixed.map(holds), supply.extra && holds(supply.extra), tolerance);
      for (let i = 0; i < n; i++) w[i] = (alpha * items[i].size[d]) / c + ((1 - alpha) * items[i].size[d + 1]) / m;
      w.sort();
      for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + w[i];
      for (let t = 2; t <= MAX_BIG_BIN_ITEMS; t++) {
        let least = Infinity;
        for (let q = 0; q <= n; q++) {
          const big = fewest(prefix[q]);
          if (big > q / t) continue;
          least = Math.min(least, Math.floor((n - q + t - 2) / (t - 1)) + big);
        }
        best = Math.max(best, least);
      }
    }
  }
  return best;
}

/**
 * K(x): the fewest bins whose holdings, largest first, reach x (added bins, if any, as many as
 * needed); Infinity when the bins cannot. The tolerance lowers the count at the boundary, never raises it.
 */
function fewestBinsFor(fixed: readonly number[], extra: number | undefined, tolerance: number): (x: number) => number {
  // Fixed bins holding less than an added bin never come first: there are always more added bins.
  const largest = fixed.filter((k) => extra === undefined || k > extra).sort((a, b) => b - a);
  const reach = new Float64Array(largest.length + 1);
  largest.forEach((k, i) => (reach[i + 1] = reach[i] + k));
  return (x) => {
    const need = x - tolerance;
    if (need <= 0) return 0;
    let lo = 1;
    let hi = largest.length;
    if (hi >= 1 && reach[hi] >= need) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (reach[mid] >= need) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    }
    return extra !== undefined && extra > 0 ? largest.length + Math.ceil((need - reach[largest.length]) / extra - 1e-12) : Infinity;
  };
}

/** The fewest bins, largest first, whose capacities reach the total size (added bins, if any, as many as needed). */
function volumeBound(sizes: readonly number[], fixed: readonly number[], extra: number | undefined): number {
  let left = sizes.reduce((a, b) => a + b, 0);
  let count = 0;
  // Fixed bins smaller than an added bin never come first: there are always more added bins.
  for (const cap of fixed.filter((c) => extra === undefined || c > extra).sort((a, b) => b - a)) {
    if (left <= 0) return count;
    left -= cap;
    count++;
  }
  if (left <= 0) return count;
  return extra !== undefined && extra > 0 ? count + Math.ceil(left / extra - 1e-9) : count;
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
