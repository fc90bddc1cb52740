import type { PlacementProfile } from "./framework";
import { balance } from "./plugins/balance";
import { capacity } from "./plugins/capacity";
import { compatibility } from "./plugins/compatibility";
import { hostState } from "./plugins/host-state";
import { pinning } from "./plugins/pinning";

/** Cheap filters first: the first failing filter ends a host's evaluation. Compatibility (memoized) comes before capacity, whose overhead depends on the resolved technique. */
export const DEFAULT_PROFILE: PlacementProfile = {
  plugins: [
    { plugin: hostState, weight: 0 },
    { plugin: pinning, weight: 0 },
    { plugin: compatibility, weight: 0 },
    { plugin: capacity, weight: 0 },
    { plugin: balance, weight: 1 },
  ],
};
