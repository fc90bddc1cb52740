/**
 * Which live-migration model a hypervisor follows (the hypervisor profile table names it, with its
 * source), as pre-copy parameters derived from the cluster's `migration` settings:
 * - Xen (Clark et al., NSDI 2005; xc_domain_save.c): the rate-limited pre-copy of pre-copy.ts, first
 *   round at `firstRoundMbps`, then the observed dirtying rate plus `rateIncrementMbps`, capped at
 *   `maxRateMbps` (the cluster's settings, Xen's defaults).
 * - vMotion: iterative pre-copy over the vMotion network at the link's rate from the first round, until
 *   what is left can be sent within the 500 ms switchover goal; then the VM is stunned and the rest sent
 *   (Broadcom KB 436882, "How to identify vMotion stun time for a vMotion"). No VMware source describes
 *   a rate-limited first round or a per-round rate schedule, so every round runs at `bandwidthMbps`.
 * Products without a row of their own use the cluster's settings as given.
 */
import { PAGE_KIB, type PreCopyParams } from "./pre-copy";

export type LiveMigrationModel = { kind: "rateLimitedPreCopy" } | { kind: "linkRatePreCopy"; switchoverGoalMs: number };

export const XEN_PRE_COPY: LiveMigrationModel = { kind: "rateLimitedPreCopy" };
export const VMOTION: LiveMigrationModel = { kind: "linkRatePreCopy", switchoverGoalMs: 500 };

/** Derived parameters per settings object and model: predictions are memoized by the parameters' identity. */
const derived = new WeakMap<PreCopyParams, Map<LiveMigrationModel, PreCopyParams>>();

/** The pre-copy parameters of `model` on a cluster whose migration settings are `params`. */
export function preCopyParamsFor(model: LiveMigrationModel, params: PreCopyParams): PreCopyParams {
  if (model.kind === "rateLimitedPreCopy") return params;
  let byModel = derived.get(params);
  if (!byModel) derived.set(params, (byModel = new Map()));
  let out = byModel.get(model);
  if (!out) {
    // What the link sends within the switchover goal, in pages: pre-copy stops once fewer are left.
    const goalPages = Math.floor(((params.bandwidthMbps / 8) * (model.switchoverGoalMs / 1000) * 1024) / PAGE_KIB);
    out = {
      ...params,
      firstRoundMbps: params.bandwidthMbps,
      maxRateMbps: params.bandwidthMbps,
      stopPages: Math.max(params.stopPages, goalPages),
    };
    byModel.set(model, out);
  }
  return out;
}
