import { z } from "zod";
import { Name } from "./common";

export const RuleType = z.enum(["affinity", "antiAffinity", "vmHost", "restartDependency"]);
export const HostAffinity = z.enum(["mustRunOn", "shouldRunOn", "mustNotRunOn", "shouldNotRunOn"]);
export type HostAffinity = z.infer<typeof HostAffinity>;

const unique = (list: string[], ctx: z.RefinementCtx, field: string) =>
  list.forEach((item, i) => {
    if (list.indexOf(item) !== i) ctx.addIssue({ code: "custom", path: [field, i], message: `${item} is listed twice` });
  });

/**
 * A DRS rule. VM-VM rules (`affinity`: keep together, `antiAffinity`: keep apart) name two or more
 * VMs; `vmHost` rules tie VMs to a set of hosts. `mandatory` rules are never broken by placement, DRS
 * or HA; the others are preferences. When unset, `mandatory` is true for antiAffinity, false for
 * affinity, and follows `hostAffinity` for vmHost (must* mandatory, should* not).
 */
export const RuleSpec = z
  .strictObject({
    cluster: Name.describe("Cluster whose DRS, placement and HA keep the rule"),
    type: RuleType.describe(
      "affinity keeps the VMs on one host, antiAffinity on different hosts; vmHost ties them to hosts (vSphere DRS rules)",
    ),
    vms: z.array(Name).min(1).describe("VMs the rule binds: two or more for affinity and antiAffinity"),
    hosts: z.array(Name).default([]).describe("vmHost only: the host group the VMs must or should (not) run on"),
    hostAffinity: HostAffinity.optional().describe("vmHost only, required there: must rules are mandatory, should rules preferences"),
    mandatory: z
      .boolean()
      .optional()
      .describe("Never broken by placement, DRS or HA; absent: true for antiAffinity and must* vmHost, false otherwise"),
    dependsOn: z
      .array(Name)
      .default([])
      .describe("restartDependency only: HA restarts `vms` only once every VM listed here is up (vSphere 6.5 orchestrated restart)"),
    readiness: z
      .enum(["poweredOn", "guestHeartbeats", "appHeartbeats"])
      .default("poweredOn")
      .describe(
        "restartDependency only: when a VM of dependsOn counts as up; the model's guests send heartbeats once booted, so the heartbeat conditions wait for the boot",
      ),
    additionalDelaySeconds: z
      .int()
      .min(0)
      .max(86_400)
      .default(0)
      .describe("restartDependency only: extra wait after dependsOn is up (vSphere: postReadyDelay)"),
  })
  .superRefine((rule, ctx) => {
    unique(rule.vms, ctx, "vms");
    unique(rule.hosts, ctx, "hosts");
    unique(rule.dependsOn, ctx, "dependsOn");
    if (rule.type === "restartDependency") {
      if (rule.dependsOn.length === 0)
        ctx.addIssue({ code: "custom", path: ["dependsOn"], message: "a restartDependency rule needs at least one VM in dependsOn" });
      const both = rule.vms.find((vm) => rule.dependsOn.includes(vm));
      if (both !== undefined) ctx.addIssue({ code: "custom", path: ["dependsOn"], message: `${both} cannot depend on itself` });
      if (rule.hosts.length > 0)
        ctx.addIssue({ code: "custom", path: ["hosts"], message: "hosts apply to vmHost rules, not restartDependency" });
      if (rule.hostAffinity !== undefined || rule.mandatory !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [rule.hostAffinity !== undefined ? "hostAffinity" : "mandatory"],
          message: "applies to placement rules, not restartDependency",
        });
    } else if (rule.type === "vmHost") {
      if (rule.hostAffinity === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["hostAffinity"],
          message: "a vmHost rule needs hostAffinity (mustRunOn, shouldRunOn, mustNotRunOn or shouldNotRunOn)",
        });
      if (rule.hosts.length === 0) ctx.addIssue({ code: "custom", path: ["hosts"], message: "a vmHost rule needs at least one host" });
      const must = rule.hostAffinity?.startsWith("must");
      if (rule.hostAffinity !== undefined && rule.mandatory !== undefined && rule.mandatory !== must) {
        ctx.addIssue({
          code: "custom",
          path: ["mandatory"],
          message: `${rule.hostAffinity} is ${must ? "" : "not "}mandatory; drop mandatory or pick the ${must ? "should" : "must"} form`,
        });
      }
    } else {
      if (rule.vms.length < 2) ctx.addIssue({ code: "custom", path: ["vms"], message: `an ${rule.type} rule needs at least two VMs` });
      if (rule.hosts.length > 0)
        ctx.addIssue({ code: "custom", path: ["hosts"], message: `hosts apply to vmHost rules, not ${rule.type}` });
      if (rule.hostAffinity !== undefined)
        ctx.addIssue({ code: "custom", path: ["hostAffinity"], message: `hostAffinity applies to vmHost rules, not ${rule.type}` });
    }
    if (rule.type !== "restartDependency" && rule.dependsOn.length > 0)
      ctx.addIssue({ code: "custom", path: ["dependsOn"], message: `dependsOn applies to restartDependency rules, not ${rule.type}` });
  });
export type RuleSpec = z.infer<typeof RuleSpec>;
export type RuleSpecInput = z.input<typeof RuleSpec>;

/** Whether the rule is a hard constraint, with the type-dependent default. */
export function isMandatory(rule: RuleSpec): boolean {
  if (rule.type === "restartDependency") return false;
  if (rule.mandatory !== undefined) return rule.mandatory;
  if (rule.type === "vmHost") return rule.hostAffinity?.startsWith("must") ?? false;
  return rule.type === "antiAffinity";
}

export const RuleStatus = z.object({
  observedGeneration: z.int(),
  mandatory: z.boolean(),
  /** Running VMs that break the rule now, each with why; empty when the rule holds. */
  violations: z.array(z.string()),
});
export type RuleStatus = z.infer<typeof RuleStatus>;
