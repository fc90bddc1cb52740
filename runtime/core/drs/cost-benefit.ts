/**
 * Whether a load-balancing migration pays for itself (Gulati et al., VMware Technical Journal 2012:
 * DRS weighs what a migration costs against the gain it brings for as long as the gain lasts).
 *
 * Gain is measured as the load gap a move closes: H * (imbalance_before^2 - imbalance_after^2) / 2
 * over H hosts, i.e. half the drop in the hosts' summed squared deviation. Moving a VM that holds a
 * fraction d of its host onto a host g lower in normalized entitlement closes d * (g - d) (hosts of
 * equal capacity), whatever the cluster's size, where the imbalance itself moves less per VM the
 * more hosts there are.
 *
 * The migration time is what the pre-copy model predicts for the VM under its cluster's migration
 * settings (predictLiveMigration in vm-moves.ts): the very time the migration will take once started,
 * so DRS prices a move with the clock it will run on: the source hypervisor's model (vMotion at the
 * link's rate, Xen's rate-limited pre-copy, migration/models.ts), under the cluster's settings. Large,
 * busy VMs move only for large gains, except at threshold 5, which skips this filter (balance.ts).
 * - cost: while the copy runs the VM's load weighs on both hosts: its share d of the source host
 *   (its largest normalized entitlement there) times the migration time;
 * - benefit: the load gap closed, held until the next pass (intervalSeconds).
 * The move pays when benefit >= cost, i.e. when (g - d) * intervalSeconds >= migration seconds.
 */

/** The load gap a move closes, from the imbalance before and after it over `hosts` hosts. */
export function loadGapClosed(before: number, after: number, hosts: number): number {
  return (hosts * (before * before - after * after)) / 2;
}

/** What migrating costs: the share of the source host the VM holds, carried for the migration time. */
export function migrationCost(shareOfSource: number, migrationSeconds: number): number {
  return shareOfSource * migrationSeconds;
}

export interface CostBenefit {
  pays: boolean;
  cost: number;
  benefit: number;
}

/** `gain` from loadGapClosed, `cost` from migrationCost (summed over the migrations of a move). */
export function costBenefit(gain: number, cost: number, intervalSeconds: number): CostBenefit {
  const benefit = gain * intervalSeconds;
  return { pays: Number.isFinite(cost) && benefit >= cost, cost, benefit };
}
