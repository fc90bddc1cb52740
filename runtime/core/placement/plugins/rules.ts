import { type RuleConstraints, mandatoryBreaches, preferenceBreaches } from "../../rules/constraints";
import type { PlacementPlugin } from "../plugin";

const hasMandatoryRules = (r: RuleConstraints) => r.mustRunOn.length > 0 || r.mustAvoid.size > 0;
const hasPreferences = (r: RuleConstraints) => r.shouldRunOn.length > 0 || r.shouldAvoid.size > 0;

/**
 * DRS rules: a host that breaks a mandatory rule is filtered out; one that goes against a
 * preferential rule scores lower for each rule it breaks.
 */
export const rules: PlacementPlugin = {
  name: "Rules",
  appliesTo: (req) => hasMandatoryRules(req.rules) || hasPreferences(req.rules),
  filter(req, host) {
    if (!hasMandatoryRules(req.rules)) return undefined;
    const why = mandatoryBreaches(req.rules, host.name);
    if (why.length === 0) return undefined;
    // Anti-affinity could be met with more hosts; a host set named by a rule cannot change by itself.
    const onlyApart = req.rules.mustRunOn.every((r) => r.hosts.has(host.name));
    return { code: onlyApart ? "InsufficientCapacity" : "Incompatible", reason: why.join("; ") };
  },
  score(req, host) {
    // No preference: the same 0 for every host, so the rule score decides nothing and is not shown.
    if (!hasPreferences(req.rules)) return 0;
    return 100 / (1 + preferenceBreaches(req.rules, host.name).length);
  },
};
