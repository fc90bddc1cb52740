/** What vector bin packing packs (packing.ts) and bounds (packing-bounds.ts): items and the bins on offer. */

export interface PackItem {
  name: string;
  /** Size per dimension, whole units, each within the largest bin's capacity. */
  size: readonly number[];
}

/**
 * The bins a packing may use: `fixed` bins (their capacities; opened largest first, ties in the
 * given order), then, when `extra` is set, as many added bins of that capacity as needed.
 * Identical bins are `{ fixed: [], extra: capacity }`.
 */
export interface BinSupply {
  fixed: readonly (readonly number[])[];
  extra?: readonly number[];
}

/** A capacity (identical bins, as many as needed) or a supply. */
export type Bins = readonly number[] | BinSupply;

/** The supply a capacity or a supply names. */
export function supplyOf(bins: Bins): BinSupply {
  return "fixed" in bins ? bins : { fixed: [], extra: bins };
}
