import type { PlacementProfile } from "./plugin";
import { balance } from "./plugins/balance";
import { capacity } from "./plugins/capacity";
import { compatibility } from "./plugins/compatibility";
import { cpuCompatibility } from "./plugins/cpu-compatibility";
import { drsBalance } from "./plugins/drs-balance";
import { failoverHosts } from "./plugins/failover-hosts";
import { hostState } from "./plugins/host-state";
import { pinning } from "./plugins/pinning";
import { rules } from "./plugins/rules";
import { storageVisibility } from "./plugins/storage-visibility";

/**
 * Cheap filters first: the first failing filter ends a host's evaluation. Compatibility (memoized)
 * comes before capacity, whose overhead depends on the resolved technique. Preferential rules weigh
 * ten times a balance score, so they decide unless every host breaks them alike.
 */
export const DEFAULT_PROFILE: PlacementProfile = {
  plugins: [
    { plugin: hostState, weight: 0 },
    { plugin: pinning, weight: 0 },
    { plugin: failoverHosts, weight: 0 },
    { plugin: compatibility, weight: 0 },
    { plugin: cpuCompatibility, weight: 0 },
    { plugin: capacity, weight: 0 },
    { plugin: storageVisibility, weight: 0 },
    { plugin: rules, weight: 10 },
    { plugin: balance, weight: 1 },
    { plugin: drsBalance, weight: 1 },
  ],
};
