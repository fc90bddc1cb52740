/**
 * What DRS rules ask of one VM's host, given where the other VMs run: the hosts a mandatory rule
 * forbids or requires (placement filters on these) and the ones a preferential rule would rather
 * avoid or use (placement scores on these). Placement, DRS, maintenance and HA restarts all read the
 * same constraints, so a mandatory rule holds whoever moves the VM.
 */
import { type RuleSpec, isMandatory } from "../../../schema/rule";
import { compareNames } from "../kernel/model";
import type { RuleRecord } from "../kernel/model";

/** Where a VM runs now, as the caller sees it (the world, or a plan in progress); null when nowhere. */
export type Locate = (vm: string) => string | null;

interface HostSetRule {
  hosts: ReadonlySet<string>;
  why: string;
}

export interface RuleConstraints {
  /** Each entry: one rule's allowed hosts. */
  mustRunOn: readonly HostSetRule[];
  /** Host -> why the VM may not run there. */
  mustAvoid: ReadonlyMap<string, string>;
  shouldRunOn: readonly HostSetRule[];
  shouldAvoid: ReadonlyMap<string, string>;
}

export const NO_RULES: RuleConstraints = Object.freeze({ mustRunOn: [], mustAvoid: new Map(), shouldRunOn: [], shouldAvoid: new Map() });

/** "esx1, esx2" */
function listed(names: Iterable<string>): string {
  return [...names].sort(compareNames).join(", ");
}

/** The host where most of `peers` run (ties: the name that sorts first), or null when none runs. */
function majorityHost(peers: readonly string[], locate: Locate): string | null {
  const counts = new Map<string, number>();
  for (const p of peers) {
    const h = locate(p);
    if (h !== null) counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [h, n] of counts) {
    if (best === null || n > counts.get(best)! || (n === counts.get(best)! && h < best)) best = h;
  }
  return best;
}

/**
 * The constraints the rules in `rules` (those naming `vm`) put on where `vm` runs. A VM is located
 * where it runs or, in flight, where it is going; `leaving`, when given, names the host a peer in
 * flight still runs on, which an anti-affine VM must avoid too (a host to move to, not one to leave).
 */
export function constraintsFor(rules: readonly RuleRecord[], vm: string, locate: Locate, leaving?: Locate): RuleConstraints {
  if (rules.length === 0) return NO_RULES;
  const mustRunOn: HostSetRule[] = [];
  const shouldRunOn: HostSetRule[] = [];
  const mustAvoid = new Map<string, string>();
  const shouldAvoid = new Map<string, string>();
  for (const rule of rules) {
    const spec: RuleSpec = rule.spec;
    // Restart order only (ha/restart-dependencies.ts): no say in where a VM runs.
    if (spec.type === "restartDependency") continue;
    const hard = isMandatory(spec);
    const runOn = hard ? mustRunOn : shouldRunOn;
    const avoid = hard ? mustAvoid : shouldAvoid;
    const label = `${hard ? "mandatory" : "preferential"} rule ${rule.name}`;
    const peers = spec.vms.filter((v) => v !== vm);
    if (spec.type === "vmHost") {
      if (spec.hostAffinity === "mustRunOn" || spec.hostAffinity === "shouldRunOn") {
        runOn.push({ hosts: new Set(spec.hosts), why: `${label}: runs on ${listed(spec.hosts)} only` });
      } else {
        for (const h of spec.hosts) if (!avoid.has(h)) avoid.set(h, `${label}: keeps it off ${listed(spec.hosts)}`);
      }
    } else if (spec.type === "antiAffinity") {
      for (const peer of peers) {
        const h = locate(peer);
        if (h !== null && !avoid.has(h)) avoid.set(h, `${label}: keeps it apart from ${peer} (on ${h})`);
      }
      // Hosts only a departing peer still runs on come last, so a peer settled there gives the reason.
      for (const peer of leaving ? peers : []) {
        const from = leaving!(peer);
        if (from !== null && !avoid.has(from))
          avoid.set(from, `${label}: keeps it apart from ${peer} (still on ${from}, migrating to ${locate(peer)})`);
      }
    } else {
      const h = majorityHost(peers, locate);
      if (h !== null) runOn.push({ hosts: new Set([h]), why: `${label}: keeps it with ${listed(peers)} (on ${h})` });
    }
  }
  return { mustRunOn, mustAvoid, shouldRunOn, shouldAvoid };
}

/** Why `host` breaks the mandatory constraints (empty when it does not). */
export function mandatoryBreaches(c: RuleConstraints, host: string): string[] {
  return breaches(c.mustRunOn, c.mustAvoid, host);
}

/** Why `host` goes against the preferential constraints (empty when it does not). */
export function preferenceBreaches(c: RuleConstraints, host: string): string[] {
  return breaches(c.shouldRunOn, c.shouldAvoid, host);
}

function breaches(runOn: readonly HostSetRule[], avoid: ReadonlyMap<string, string>, host: string): string[] {
  const out: string[] = [];
  for (const r of runOn) if (!r.hosts.has(host)) out.push(r.why);
  const why = avoid.get(host);
  if (why !== undefined) out.push(why);
  return out;
}

/** The rules of a cluster by the VMs they name, in rule-name order. */
export function rulesByVm(rules: readonly RuleRecord[]): Map<string, RuleRecord[]> {
  const byVm = new Map<string, RuleRecord[]>();
  for (const rule of rules) {
    for (const vm of rule.spec.vms) {
      let list = byVm.get(vm);
      if (!list) byVm.set(vm, (list = []));
      list.push(rule);
    }
  }
  return byVm;
}
