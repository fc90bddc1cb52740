/** Rule: a DRS affinity, anti-affinity or VM-host rule within one cluster. */
import { type RuleSpec, RuleSpec as RuleSchema, isMandatory } from "../../../schema/rule";
import { refuse } from "../kernel/errors";
import { runDrsPass } from "../drs/pass";
import type { ClusterRecord, HostRecord, RuleRecord, VmRecord } from "../kernel/model";
import { dependencyCycle } from "../ha/restart-dependencies";
import { refreshRuleStatus } from "../rules/violations";
import type { Txn } from "../kernel/txn";
import { requireExisting, requireReference } from "./common";
import { defineKind } from "./define-kind";

function describe(spec: RuleSpec): string {
  const kind = isMandatory(spec) ? "mandatory" : "preferential";
  if (spec.type === "vmHost") return `${kind} rule: ${spec.vms.join(", ")} ${spec.hostAffinity} ${spec.hosts.join(", ")}`;
  return `${kind} ${spec.type === "affinity" ? "affinity (keep together)" : "anti-affinity (keep apart)"} of ${spec.vms.join(", ")}`;
}

/** Every VM and host the rule names exists and belongs to the rule's cluster. */
function checkMembers(txn: Txn, name: string, spec: RuleSpec): void {
  const vmsInCluster = (field: "vms" | "dependsOn") =>
    spec[field].forEach((vm, i) => {
      const at = { kind: "Rule", name, field: `${field}.${i}` } as const;
      const record = requireReference<VmRecord>(txn, at, "VirtualMachine", vm);
      if (record.status.cluster !== spec.cluster)
        refuse(
          "InvalidSpec",
          at,
          `VM ${vm} is ${record.status.cluster ? `in cluster ${record.status.cluster}` : "on a standalone host"}, not in cluster ${spec.cluster}`,
        );
    });
  vmsInCluster("vms");
  vmsInCluster("dependsOn");
  spec.hosts.forEach((host, i) => {
    const at = { kind: "Rule", name, field: `hosts.${i}` } as const;
    const record = requireReference<HostRecord>(txn, at, "Host", host);
    if (record.spec.cluster !== spec.cluster)
      refuse(
        "InvalidSpec",
        at,
        `host ${host} is ${record.spec.cluster ? `in cluster ${record.spec.cluster}` : "standalone"}, not in cluster ${spec.cluster}`,
      );
  });
}

/** Mandatory rules that could never hold together are refused, naming the other rule; so are restart dependency cycles. */
function checkConflicts(txn: Txn, name: string, spec: RuleSpec): void {
  if (spec.type === "restartDependency") {
    const others = txn.relatedObjects<RuleRecord>("rulesInCluster", spec.cluster).filter((r) => r.name !== name);
    const cycle = dependencyCycle([spec, ...others.map((r) => r.spec)]);
    if (cycle)
      refuse(
        "Conflict",
        { kind: "Rule", name, field: "dependsOn" },
        `restart dependencies would form a cycle: ${cycle.join(" -> ")}; HA could restart none of them`,
      );
    return;
  }
  if (!isMandatory(spec)) return;
  const others = txn.relatedObjects<RuleRecord>("rulesInCluster", spec.cluster).filter((r) => r.name !== name && isMandatory(r.spec));
  for (const other of others) {
    const shared = spec.vms.filter((vm) => other.spec.vms.includes(vm));
    const opposite =
      (spec.type === "affinity" && other.spec.type === "antiAffinity") || (spec.type === "antiAffinity" && other.spec.type === "affinity");
    if (opposite && shared.length >= 2) {
      refuse(
        "Conflict",
        { kind: "Rule", name, field: "type" },
        `mandatory rule ${other.name} is an ${other.spec.type} rule over ${shared.join(", ")} too: both can never hold`,
      );
    }
  }
  if (spec.type !== "vmHost") return;
  const vmHostRules = [spec, ...others.filter((r) => r.spec.type === "vmHost").map((r) => r.spec)];
  const hosts = txn.related("hostsInCluster", spec.cluster);
  for (const vm of spec.vms) {
    const applying = vmHostRules.filter((r) => r.vms.includes(vm));
    const allowed = hosts.filter((h) =>
      applying.every((r) => (r.hostAffinity === "mustRunOn" ? r.hosts.includes(h) : !r.hosts.includes(h))),
    );
    if (allowed.length === 0) {
      refuse(
        "Conflict",
        { kind: "Rule", name, field: "hosts" },
        `with the other mandatory VM-host rules, no host of cluster ${spec.cluster} is left for VM ${vm}`,
      );
    }
  }
}

export const ruleHandler = defineKind<RuleSpec, RuleRecord, ClusterRecord>({
  kind: "Rule",
  schema: RuleSchema,
  resolve(txn, name, spec) {
    const cluster = requireReference<ClusterRecord>(txn, { kind: "Rule", name, field: "cluster" }, "Cluster", spec.cluster);
    checkMembers(txn, name, spec);
    return cluster;
  },
  write(txn, { name, spec, existing, generation, refs: cluster, announce }) {
    checkConflicts(txn, name, spec);

    const rule = txn.put<RuleRecord>({
      kind: "Rule",
      name,
      spec,
      generation,
      status: { observedGeneration: generation, mandatory: isMandatory(spec), violations: existing?.status.violations ?? [] },
    });
    announce(describe(spec));
    refreshRuleStatus(txn, rule);
    // A changed rule invokes DRS, as vCenter does: violations are corrected (or recommended) now.
    if (cluster.spec.drs.enabled) runDrsPass(txn, spec.cluster, { rulesOnly: true });
  },

  delete(txn, name) {
    requireExisting<RuleRecord>(txn, "Rule", name);
    txn.remove("Rule", name);
    txn.emit("Rule", name, "Deleted", "rule deleted");
  },
});
