/**
 * HA restart orchestration (vSphere 6.5, API ClusterDependencyRuleInfo and ClusterVmReadiness): a
 * `restartDependency` rule restarts its `vms` only once every VM of `dependsOn` is up, plus
 * `additionalDelaySeconds` (postReadyDelay). A VM of dependsOn is up when it runs and HA has nothing
 * left to do for it, or, while HA restarts it, once its guest has booted: the model's guests send
 * heartbeats as soon as they are booted, so the three readiness conditions (poweredOn,
 * guestHeartbeats, appHeartbeats) wait for the same moment, except poweredOn, which is met at the
 * power-on itself. Cycles are refused when the rule is applied (kinds/rule.ts). A dependency that
 * never comes up keeps its dependents waiting (what vSphere does then is unsourced).
 */
import type { RuleSpec } from "../../../schema/rule";
import type { RuleRecord, VmRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";

/** A cycle among the dependencies (VM names, the first repeated at the end), or undefined. */
export function dependencyCycle(rules: readonly RuleSpec[]): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const r of rules) {
    if (r.type !== "restartDependency") continue;
    for (const vm of r.vms) edges.set(vm, [...(edges.get(vm) ?? []), ...r.dependsOn]);
  }
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (vm: string): string[] | undefined => {
    if (state.get(vm) === "done") return undefined;
    if (state.get(vm) === "open") return [...path.slice(path.indexOf(vm)), vm];
    state.set(vm, "open");
    path.push(vm);
    for (const next of [...(edges.get(vm) ?? [])].sort()) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(vm, "done");
    return undefined;
  };
  for (const vm of [...edges.keys()].sort()) {
    const found = visit(vm);
    if (found) return found;
  }
  return undefined;
}

/** When a dependency counts as up for `readiness`: -Infinity when long up, a time, or null while it is down. */
function upSince(vm: VmRecord | undefined, readiness: RuleSpec["readiness"]): number | null {
  if (!vm) return -Infinity;
  const restart = vm.status.haRestart;
  if (restart === null) return vm.status.powerState === "on" ? -Infinity : null;
  if (restart.state !== "restarting") return null;
  return readiness === "poweredOn" ? -Infinity : restart.readyAtSeconds!;
}

/**
 * When the VM's restart dependencies allow it to restart: -Infinity (none, or long met), a time
 * (their guests boot then, plus the delay), or null (one is down and not yet restarting). `upAt`
 * gives the boot times of guests that came up in this wave, whose restart state is being cleared.
 */
export function dependenciesReadyAt(txn: Txn, cluster: string, vm: string, upAt: ReadonlyMap<string, number> = new Map()): number | null {
  let at = -Infinity;
  for (const rule of txn.relatedObjects<RuleRecord>("rulesInCluster", cluster)) {
    const spec = rule.spec;
    if (spec.type !== "restartDependency" || !spec.vms.includes(vm)) continue;
    for (const dep of spec.dependsOn) {
      const up = upAt.get(dep) ?? upSince(txn.get<VmRecord>("VirtualMachine", dep), spec.readiness);
      if (up === null) return null;
      at = Math.max(at, up === -Infinity ? -Infinity : up + spec.additionalDelaySeconds);
    }
  }
  return at;
}
