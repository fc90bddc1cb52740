/**
 * Mandatory affinity groups move as one. The VMs that mandatory affinity rules keep together and that
 * run on one host form a group: moving one member by hand (a changed pin) moves all of them to the
 * same host, each as a live migration under the usual checks, or none (vSphere's DRS groups: a
 * "must run together" rule is kept whoever moves a VM; maintenance evacuation and DRS move the same
 * groups, drs/snapshot.ts unitOf).
 */
import { isMandatory } from "../../../schema/rule";
import type { VmSpec } from "../../../schema/virtual-machine";
import { type VmRecord, compareNames } from "../kernel/model";
import type { PlacementRequest } from "../placement/framework";
import { vmPlacementRequest } from "../placement/vm-request";
import { type Locate, constraintsFor } from "../rules/constraints";
import { departureIn, locateIn, rulesNaming } from "../rules/lookup";
import type { Txn } from "../kernel/txn";

/** `name` first, then the other running VMs on `host` tied to it by mandatory affinity rules (transitively), by name. */
export function mandatoryGroup(txn: Txn, cluster: string, name: string, host: string): string[] {
  const group = new Set([name]);
  const queue = [name];
  while (queue.length > 0) {
    const vm = queue.pop()!;
    for (const rule of rulesNaming(txn, cluster, vm)) {
      if (rule.spec.type !== "affinity" || !isMandatory(rule.spec)) continue;
      for (const peer of rule.spec.vms) {
        if (group.has(peer)) continue;
        const record = txn.get<VmRecord>("VirtualMachine", peer);
        if (record?.status.powerState !== "on" || record.status.currentHost !== host) continue;
        group.add(peer);
        queue.push(peer);
      }
    }
  }
  return [name, ...[...group].filter((v) => v !== name).sort(compareNames)];
}

/** Why a member other than the one asked for cannot start a live migration now, or undefined. */
export function whyMemberStays(member: VmRecord, to: string): string | undefined {
  const m = member.status.migration;
  if (m) return `${member.name} is already migrating from ${m.fromHost} to ${m.toHost}`;
  if (member.spec.host !== undefined && member.spec.host !== to) return `${member.name} is pinned to ${member.spec.host}`;
  return undefined;
}

/** A live-migration request for a group member, its rules read with the whole group already on `to`. */
export function groupMemberRequest(
  txn: Txn,
  member: string,
  spec: VmSpec,
  cluster: string,
  group: readonly string[],
  to: string,
): PlacementRequest {
  const req = vmPlacementRequest(txn, member, spec, cluster, "migration");
  const rules = rulesNaming(txn, cluster, member);
  if (rules.length === 0) return req;
  const where = locateIn(txn);
  const locate: Locate = (vm) => (group.includes(vm) ? to : where(vm));
  return { ...req, rules: constraintsFor(rules, member, locate, departureIn(txn)) };
}
