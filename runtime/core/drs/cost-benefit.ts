/**
 * Whether a load-balancing migration pays for itself (Gulati et al., VMware Technical Journal 2012:
 * DRS weighs what a migration costs against the gain it brings for as long as the gain lasts).
 *
 * Pre-copy sends the guest's memory once, then re-sends what the guest dirtied meanwhile. With M Mbit
 * of memory, a link of B Mbit/s and a dirty rate of D Mbit/s each round is D/B of the previous one, so
 * the copy takes about M / (B - D) seconds, and never converges when D >= B.
 * - cost: while the copy runs the VM's load weighs on both hosts: its share of the source host
 *   (its largest normalized entitlement there) times the migration time;
 * - benefit: the imbalance the move removes, held until the next pass (intervalSeconds).
 * The move pays when benefit >= cost.
 */

/** Estimated live-migration time in seconds; Infinity when pre-copy cannot converge. */
export function estimatedMigrationSeconds(memoryMb: number, dirtyRateMbps: number, bandwidthMbps: number): number {
  if (dirtyRateMbps >= bandwidthMbps) return Infinity;
  return (memoryMb * 8) / (bandwidthMbps - dirtyRateMbps);
}

export interface CostBenefit {
  pays: boolean;
  cost: number;
  benefit: number;
}

export function costBenefit(gain: number, shareOfSource: number, migrationSeconds: number, intervalSeconds: number): CostBenefit {
  const cost = shareOfSource * migrationSeconds;
  const benefit = gain * intervalSeconds;
  return { pays: Number.isFinite(cost) && benefit >= cost, cost, benefit };
}
