/** A rule's standing: which of its running VMs break it now and why, kept in the rule's status with events on change. */
import { isMandatory } from "../../../schema/rule";
import type { RuleRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { constraintsFor, mandatoryBreaches, preferenceBreaches } from "./constraints";
import { locateIn } from "./lookup";

/** Which running VMs break the rule, each located where it runs or, in flight, where it is going (a correction under way counts as made). */
export function ruleViolations(txn: Txn, rule: RuleRecord): string[] {
  const locate = locateIn(txn);
  const hard = isMandatory(rule.spec);
  const out: string[] = [];
  for (const vm of rule.spec.vms) {
    const host = locate(vm);
    if (host === null) continue;
    const c = constraintsFor([rule], vm, locate);
    const why = hard ? mandatoryBreaches(c, host) : preferenceBreaches(c, host);
    if (why.length > 0) out.push(`${vm} on ${host}: ${why.join("; ")}`);
  }
  return out;
}

/** Stores the rule's current violations, with RuleViolated / RuleSatisfied when they change. */
export function refreshRuleStatus(txn: Txn, rule: RuleRecord): RuleRecord {
  const violations = ruleViolations(txn, rule);
  const mandatory = isMandatory(rule.spec);
  const before = rule.status.violations;
  if (JSON.stringify(before) === JSON.stringify(violations) && rule.status.mandatory === mandatory) return rule;
  const updated = txn.put<RuleRecord>({ ...rule, status: { ...rule.status, mandatory, violations } });
  if (violations.length > 0 && JSON.stringify(before) !== JSON.stringify(violations)) {
    txn.emit(
      "Rule",
      rule.name,
      "RuleViolated",
      `${violations.length} VM(s) break the ${mandatory ? "mandatory" : "preferential"} rule: ${violations.join("; ")}`,
    );
  } else if (violations.length === 0 && before.length > 0) {
    txn.emit("Rule", rule.name, "RuleSatisfied", "every running VM of the rule complies again");
  }
  return updated;
}
