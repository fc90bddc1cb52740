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

import type { ResourceDivision } from "../../../schema/host";

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

/**
 * How a capacity was divided, enough to work out any claim's allocation from the claim alone
 * (allocationUnder): a host keeps its VMs' division this way instead of each VM's share.
 * - `demand`: there is room for every claim's ceiling.
 * - `reservations`: the reservations alone exceed the capacity (hosts were lost after admission), so
 *   each claim gets its reservation scaled by capacity / reserved, and nothing beyond.
 * - `shares`: claims with shares get `level` per share within their range; the others their reservation.
 * - `idle`: claims with shares get their ceiling; the others share what is left evenly (`level` each)
 *   within their range.
 */
export type Division = ResourceDivision;

export const ROOM_FOR_ALL: Division = { by: "demand" };

/** The range a claim's allocation lies in: [reservation, max(reservation, min(limit, demand))]. */
export function ceilingOf(c: Claim): number {
  return Math.max(c.reservation, Math.min(c.limit, c.demand));
}

/** Allocations for `claims` out of `capacity`, in claim order. */
export function divide(capacity: number, claims: readonly Claim[]): number[] {
  const division = divisionOf(capacity, claims);
  return claims.map((c) => allocationUnder(division, c));
}

/** How `capacity` divides among `claims`. */
export function divisionOf(capacity: number, claims: readonly Claim[]): Division {
  const n = claims.length;
  // Each sum accumulates in claim order, as the arithmetic of the division expects.
  let sumLo = 0;
  let sumHi = 0;
  let weightedCeiling = 0;
  let weightedFloor = 0;
  let unweightedFloor = 0;
  for (let i = 0; i < n; i++) {
    const c = claims[i];
    const lo = c.reservation;
    const hi = ceilingOf(c);
    sumLo += lo;
    sumHi += hi;
    if (c.shares > 0) {
      weightedCeiling += hi;
      weightedFloor += lo;
    } else unweightedFloor += lo;
  }
  if (sumLo >= capacity) return { by: "reservations", capacity, reserved: sumLo };
  if (sumHi <= capacity) return ROOM_FOR_ALL;
  // Contended: only now the bounds per claim, for the water level.
  const lo = new Array<number>(n);
  const hi = new Array<number>(n);
  const weighted: number[] = [];
  const unweighted: number[] = [];
  for (let i = 0; i < n; i++) {
    lo[i] = claims[i].reservation;
    hi[i] = ceilingOf(claims[i]);
    (claims[i].shares > 0 ? weighted : unweighted).push(i);
  }
  if (weightedCeiling - weightedFloor >= capacity - sumLo) {
    const level = waterLevel(weighted, (i) => claims[i].shares, lo, hi, capacity - unweightedFloor);
    return { by: "shares", level };
  }
  const level = waterLevel(unweighted, () => 1, lo, hi, capacity - weightedCeiling);
  return { by: "idle", level };
}

export function sameDivision(a: Division, b: Division): boolean {
  switch (a.by) {
    case "demand":
      return b.by === "demand";
    case "reservations":
      return b.by === "reservations" && a.capacity === b.capacity && a.reserved === b.reserved;
    case "shares":
    case "idle":
      return b.by === a.by && a.level === (b as { level: number }).level;
  }
}

/** A claim's allocation under a division. */
export function allocationUnder(d: Division, c: Claim): number {
  switch (d.by) {
    case "demand":
      return ceilingOf(c);
    case "reservations":
      return d.reserved === 0 ? 0 : (c.reservation * d.capacity) / d.reserved;
    case "shares":
      return c.shares > 0 ? Math.min(ceilingOf(c), Math.max(c.reservation, c.shares * d.level)) : c.reservation;
    case "idle":
      return c.shares > 0 ? ceilingOf(c) : Math.min(ceilingOf(c), Math.max(c.reservation, d.level));
  }
}

/**
 * The level λ at which the claims `ids` take `target` between them, sum(clamp(w_i·λ, lo_i, hi_i)) =
 * target, found by walking the breakpoints lo_i/w_i (a claim starts rising) and hi_i/w_i (it stops).
 */
function waterLevel(ids: number[], weightOf: (i: number) => number, lo: number[], hi: number[], target: number): number {
  // Breakpoints at 0 (claims without a reservation start there) come first in any order the sort would
  // give them, and their slopes add up in the order they were met: only the others are sorted.
  const events: { at: number; slope: number }[] = [];
  let total = 0;
  let slope = 0;
  const meet = (at: number, s: number) => {
    if (at === 0) slope += s;
    else events.push({ at, slope: s });
  };
  for (const i of ids) {
    if (Number.isNaN(lo[i]) || Number.isNaN(hi[i])) throw new Error(`internal: claim ${i} has no numeric bounds (${lo[i]}, ${hi[i]})`);
    const w = weightOf(i);
    meet(lo[i] / w, w);
    meet(hi[i] / w, -w);
    total += lo[i];
  }
  events.sort((a, b) => a.at - b.at);
  let level = 0;
  for (let e = 0; e < events.length; ) {
    const at = events[e].at;
    const reached = slope === 0 ? total : total + slope * (at - level);
    if (reached >= target && slope > 0) return level + (target - total) / slope;
    total = reached;
    level = at;
    for (; e < events.length && events[e].at === at; e++) slope += events[e].slope;
  }
  return level;
}

/**
 * Whole MHz or MB for status, rounded down so that totals never exceed what was divided (the
 * tolerance absorbs float noise such as 4095.9999999).
 */
export function wholeUnits(value: number): number {
  return Math.floor(value + 1e-6);
}
