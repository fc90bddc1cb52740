/**
 * Hosts ordered by the most any request could score on them (the sum of the profile's weighted
 * `scoreBound`s: a VM only adds load and entitlement, so a host's score with nothing added bounds
 * every VM's there), kept as hosts change. A placement walks them from the highest bound down and
 * stops scoring once no host left can beat the best found, even on a tie; the hosts left are only
 * filtered, for the count of feasible hosts the messages report. The decision, its score, breakdown
 * and count are the ones place() gives over all the hosts (test/runtime/placement-index.property.test.ts);
 * a request scored by a plugin without a bound (preferential rules) is placed by the full walk.
 * The index belongs to whoever makes many placements over one set of hosts (an operation, a bench)
 * and is told of every host it changes.
 */
import type { HostRecord } from "../kernel/model";
import {
  type PlacementProfile,
  type PlacementRequest,
  type PlacementResult,
  beats,
  compile,
  passes,
  place,
  placementResult,
  scoreOn,
} from "./framework";

/** Above the rounding of tidied scores (1e-6): a host whose bound is this much below the best cannot reach it. */
const TIDY_SLACK = 1e-6;

export class PlacementHostIndex {
  private readonly hosts: HostRecord[];
  private readonly position = new Map<string, number>();
  private readonly bound: Float64Array;
  /** Positions in `hosts`, highest bound first, ties by name. */
  private readonly order: number[];
  private readonly bounded: readonly { bound: (host: HostRecord) => number; weight: number }[];

  /** `hosts` sorted by name, as place() takes them. */
  constructor(
    private readonly profile: PlacementProfile,
    hosts: readonly HostRecord[],
  ) {
    this.hosts = [...hosts];
    this.hosts.forEach((h, i) => this.position.set(h.name, i));
    this.bounded = compile(profile).scorers.flatMap(({ plugin, weight }) =>
      plugin.scoreBound && weight > 0 ? [{ bound: plugin.scoreBound, weight }] : [],
    );
    this.bound = new Float64Array(this.hosts.length);
    for (let i = 0; i < this.hosts.length; i++) this.bound[i] = this.boundOf(this.hosts[i]);
    this.order = this.hosts.map((_, i) => i).sort((a, b) => this.before(a, b));
  }

  /** The hosts, sorted by name, as last told. */
  get all(): readonly HostRecord[] {
    return this.hosts;
  }

  /** Takes the new version of a host the index holds. */
  update(host: HostRecord): void {
    const i = this.position.get(host.name);
    if (i === undefined) throw new Error(`internal: the placement index holds no host ${host.name}`);
    this.hosts[i] = host;
    this.bound[i] = this.boundOf(host);
    this.order.splice(this.order.indexOf(i), 1);
    let low = 0;
    let high = this.order.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.before(this.order[mid], i) < 0) low = mid + 1;
      else high = mid;
    }
    this.order.splice(low, 0, i);
  }

  /** What place(profile, req, all) decides. */
  place(req: PlacementRequest): PlacementResult {
    const { filters, scorers } = compile(this.profile, req);
    if (scorers.length !== this.bounded.length || scorers.some((s) => !s.plugin.scoreBound || s.weight <= 0)) {
      return place(this.profile, req, this.hosts);
    }
    let best: HostRecord | undefined;
    let bestScore = -Infinity;
    let feasible = 0;
    let k = 0;
    for (; k < this.order.length; k++) {
      const i = this.order[k];
      if (this.bound[i] + TIDY_SLACK < bestScore) break;
      const host = this.hosts[i];
      if (!passes(filters, req, host)) continue;
      feasible++;
      const score = scoreOn(scorers, req, host);
      if (beats(score, host, bestScore, best)) {
        best = host;
        bestScore = score;
      }
    }
    for (; k < this.order.length; k++) if (passes(filters, req, this.hosts[this.order[k]])) feasible++;
    return placementResult(this.profile, req, this.hosts, best, bestScore, feasible);
  }

  private boundOf(host: HostRecord): number {
    let total = 0;
    for (const { bound, weight } of this.bounded) total += weight * bound(host);
    // A host without capacity scores NaN: visited first, so that the walk never stops before it.
    return Number.isNaN(total) ? Infinity : total;
  }

  private before(a: number, b: number): number {
    return this.bound[b] - this.bound[a] || (this.hosts[a].name < this.hosts[b].name ? -1 : 1);
  }
}
