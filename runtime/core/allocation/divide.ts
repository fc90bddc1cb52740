/**
 * Dividing one resource among siblings by shares (vSphere Resource Management guide, "Resource
 * Allocation Shares"; Gulati et al., VMware Technical Journal 2012, "divvying"): each claim gets
 * capacity in proportion to its shares, never below its reservation and never above its limit or its
 * demand; what one claim cannot use goes to the others (water-filling, i.e. max-min fairness
 * weighted by shares). Claims with zero shares get their reservation, then only what every claim
 * with shares leaves idle (as the Solaris Fair Share Scheduler treats zero-share projects).
 *
 * The same function serves CPU (MHz) and memory (MB), pools and VMs, and container schedulers.
 */

export interface Claim {
  /** Relative weight; 0 means "only what nobody with shares wants". */
  shares: number;
  /** Guaranteed amount, given first. */
  reservation: number;
  /** Hard cap; Infinity when unlimited. */
  limit: number;
  /** What the claimant would use; Infinity when it takes all it can get. */
  demand: number;
}

/** The range a claim's allocation lies in: [reservation, max(reservation, min(limit, demand))]. */
export function ceilingOf(c: Claim): number {
  return Math.max(c.reservation, Math.min(c.limit, c.demand));
}

/**
 * Allocations for `claims` out of `capacity`, in claim order. If the reservations alone exceed the
 * capacity (hosts were lost after admission), each claim gets its reservation scaled down by the same
 * factor: nothing beyond reservations is handed out.
 */
export function divide(capacity: number, claims: readonly Claim[]): number[] {
  const lo = claims.map((c) => c.reservation);
  const hi = claims.map(ceilingOf);
  const sumLo = sum(lo);
  if (sumLo >= capacity) return sumLo === 0 ? lo.map(() => 0) : lo.map((l) => (l * capacity) / sumLo);
  if (sum(hi) <= capacity) return hi;

  const weighted = claims.map((_, i) => i).filter((i) => claims[i].shares > 0);
  const unweighted = claims.map((_, i) => i).filter((i) => claims[i].shares <= 0);
  const out = [...lo];
  const weightedCeiling = sum(weighted.map((i) => hi[i]));
  const weightedFloor = sum(weighted.map((i) => lo[i]));
  const room = capacity - sumLo;
  if (weightedCeiling - weightedFloor >= room) {
    fill(
      weighted,
      claims.map((c) => c.shares),
      lo,
      hi,
      capacity - sum(unweighted.map((i) => lo[i])),
      out,
    );
  } else {
    for (const i of weighted) out[i] = hi[i];
    fill(
      unweighted,
      claims.map(() => 1),
      lo,
      hi,
      capacity - weightedCeiling,
      out,
    );
  }
  return out;
}

/**
 * Water-fills `target` over the claims `ids`: finds the level λ with sum(clamp(w_i·λ, lo_i, hi_i)) =
 * target by walking the breakpoints lo_i/w_i (a claim starts rising) and hi_i/w_i (it stops).
 */
function fill(ids: number[], weights: number[], lo: number[], hi: number[], target: number, out: number[]): void {
  if (ids.length === 0) return;
  const events: { at: number; slope: number }[] = [];
  for (const i of ids) {
    if (Number.isNaN(lo[i]) || Number.isNaN(hi[i])) throw new Error(`internal: claim ${i} has no numeric bounds (${lo[i]}, ${hi[i]})`);
    events.push({ at: lo[i] / weights[i], slope: weights[i] }, { at: hi[i] / weights[i], slope: -weights[i] });
  }
  events.sort((a, b) => a.at - b.at);
  let level = 0;
  let total = sum(ids.map((i) => lo[i]));
  let slope = 0;
  for (let e = 0; e < events.length; ) {
    const at = events[e].at;
    const reached = slope === 0 ? total : total + slope * (at - level);
    if (reached >= target && slope > 0) {
      level += (target - total) / slope;
      break;
    }
    total = reached;
    level = at;
    for (; e < events.length && events[e].at === at; e++) slope += events[e].slope;
  }
  for (const i of ids) out[i] = Math.min(hi[i], Math.max(lo[i], weights[i] * level));
}

/**
 * Whole MHz or MB for status, rounded down so that totals never exceed what was divided (the
 * tolerance absorbs float noise such as 4095.9999999).
 */
export function wholeUnits(value: number): number {
  return Math.floor(value + 1e-6);
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
