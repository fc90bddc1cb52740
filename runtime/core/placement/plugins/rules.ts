import { mandatoryBreaches, preferenceBreaches } from "../../rules/constraints";
import type { PlacementPlugin } from "../framework";

/**
 * DRS rules: a host that breaks a mandatory rule is filtered out; one that goes against a
 * preferential rule scores lower for each rule it breaks.
 */
export const rules: PlacementPlugin = {
  name: "Rules",
  filter(req, host) {
    if (req.rules.mustRunOn.length === 0 && req.rules.mustAvoid.size === 0) return undefined;
    const why = mandatoryBreaches(req.rules, host.name);
    if (why.length === 0) return undefined;
    // Anti-affinity could be met with more hosts; a host set named by a rule cannot change by itself.
    const onlyApart = req.rules.mustRunOn.every((r) => r.hosts.has(host.name));
    return { code: onlyApart ? "InsufficientCapacity" : "Incompatible", reason: why.join("; ") };
  },
  score(req, host) {
    // No preference: the same 0 for every host, so the rule score decides nothing and is not shown.
    if (req.rules.shouldRunOn.length === 0 && req.rules.shouldAvoid.size === 0) return 0;
    return 100 / (1 + preferenceBreaches(req.rules, host.name).length);
  },
};
