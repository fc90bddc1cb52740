/**
 * Placement as small plugins, after the Kubernetes scheduler framework: each plugin may filter
 * (a hard constraint with a reason) and score (a preference, 0..100). A profile lists plugins
 * with weights. The best total wins; ties go to the host whose name sorts first.
 */
import type { VmSpec } from "../../../schema/virtual-machine";
import { ceilingOf } from "../allocation/divide";
import { guestClaims } from "../allocation/vm-claims";
import type { ErrorCode } from "../kernel/errors";
import type { HostRecord } from "../kernel/model";
import type { RuleConstraints } from "../rules/constraints";
import { type Choice, type TablePlan, chooseThroughTable, tablePlan } from "./host-table";
import type { GuestOnHost, PlacementPlugin, PlacementProfile, PlacementPurpose, PlacementRequest, Verdict } from "./plugin";
import { tidy } from "./score-rounding";

export type { GuestOnHost, PlacementPlugin, PlacementProfile, PlacementPurpose, PlacementRequest, Verdict } from "./plugin";

/**
 * Guest shapes seen so far, numbered: a request computes its key once, plugins index arrays by the
 * number. The key holds every field the resolution without the memory limit (guest-compatibility.ts) and
 * the CPU overhead (vm-footprint.ts) read; the memory size is left out, so a host has a few entries
 * to fill rather than one per memory size.
 */
const guestIds = new Map<string, number>();
function guestIdOf(spec: VmSpec): number {
  const key = `${spec.guestOs}/${spec.guestArch}/${spec.virtualization}/${spec.vcpus}/${spec.workload?.kind}`;
  let id = guestIds.get(key);
  if (id === undefined) guestIds.set(key, (id = guestIds.size));
  return id;
}

/**
 * A request to place the guest `spec` for `purpose`, demanding `cpuDemandMhz` now, under the rule
 * constraints `rules` (constraintsFor, or NO_RULES). Build it through vmPlacementRequest
 * (vm-request.ts) for a VM of the world, so that every decision reads rules the same way.
 */
export function placementRequest(
  vm: string,
  spec: VmSpec,
  purpose: PlacementPurpose,
  cpuDemandMhz: number,
  rules: RuleConstraints,
): PlacementRequest {
  const guest = guestClaims(spec, cpuDemandMhz);
  const onHost: GuestOnHost = {
    host: null,
    resolution: null,
    compatible: false,
    cpuOverheadPercent: 0,
    memoryOverheadMb: 0,
    cpuNeedMhz: 0,
    memoryNeedMb: 0,
    cpuEntitlementMhz: 0,
    memoryEntitlementMb: 0,
  };
  return {
    vm,
    purpose,
    spec,
    cpuReservationMhz: spec.cpu.reservationMhz,
    memoryReservationMb: spec.memory.reservationMb,
    cpuEntitlementMhz: ceilingOf(guest.cpu),
    memoryEntitlementMb: ceilingOf(guest.memory),
    rules,
    pinnedHost: spec.host,
    guestId: guestIdOf(spec),
    onHost,
  };
}

export type PlacementResult =
  | { placed: true; host: string; score: number; breakdown: Record<string, number>; candidates: number; feasible: number }
  | { placed: false; rejections: { host: string; verdicts: Verdict[] }[] };

type Filter = NonNullable<PlacementPlugin["filter"]>;
interface Compiled {
  filters: Filter[];
  scorers: { name: string; score: NonNullable<PlacementPlugin["score"]>; weight: number }[];
  table: TablePlan;
}

/**
 * A profile flattened to plain arrays, once per set of plugins that apply (a bit mask over the
 * profile's plugins): the loop over hosts in place() runs for every host of every placement, and most
 * requests need neither pinning, rules nor storage checks. Without a request, every plugin: a check
 * of one host (fits, DRS's candidates) costs less than working out which plugins apply.
 */
const compiledProfiles = new WeakMap<PlacementProfile, Map<number, Compiled>>();
function compile(profile: PlacementProfile, req?: PlacementRequest): Compiled {
  const { plugins } = profile;
  let mask = 0;
  for (let i = 0; i < plugins.length; i++) if (req === undefined || plugins[i].plugin.appliesTo?.(req) !== false) mask |= 1 << i;
  let byMask = compiledProfiles.get(profile);
  if (!byMask) compiledProfiles.set(profile, (byMask = new Map()));
  let compiled = byMask.get(mask);
  if (!compiled) {
    const applying = plugins.filter((_, i) => (mask & (1 << i)) !== 0);
    compiled = {
      filters: applying.flatMap(({ plugin }) => (plugin.filter ? [plugin.filter] : [])),
      scorers: applying.flatMap(({ plugin, weight }) =>
        plugin.score && weight !== 0 ? [{ name: plugin.name, score: plugin.score, weight }] : [],
      ),
      table: tablePlan(applying),
    };
    byMask.set(mask, compiled);
  }
  return compiled;
}

function passes(filters: Filter[], req: PlacementRequest, host: HostRecord): boolean {
  for (let i = 0; i < filters.length; i++) if (filters[i](req, host) !== undefined) return false;
  return true;
}

/** Every filter's objection to the host (empty when it passes). */
export function hostVerdicts(profile: PlacementProfile, req: PlacementRequest, host: HostRecord): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const { plugin } of profile.plugins) {
    const v = plugin.filter?.(req, host);
    if (v) verdicts.push({ plugin: plugin.name, ...v });
  }
  return verdicts;
}

/** Whether the host passes every filter of the profile. */
export function fits(profile: PlacementProfile, req: PlacementRequest, host: HostRecord): boolean {
  return passes(compile(profile).filters, req, host);
}

/**
 * Lists this long are placed through a host table (host-table.ts), shorter ones by a walk over the
 * records: a table's bookkeeping pays off only over many hosts. Both give the same result.
 */
const TABLE_FROM_HOSTS = 8;

/** Picks a host for the request among `hosts` (sorted by name); the breakdown lists the scores that contributed. */
export function place(profile: PlacementProfile, req: PlacementRequest, hosts: readonly HostRecord[]): PlacementResult {
  const compiled = compile(profile, req);
  const { best, score, feasible } =
    hosts.length >= TABLE_FROM_HOSTS ? chooseThroughTable(compiled.table, req, hosts) : walk(compiled, req, hosts);
  if (best < 0) {
    return { placed: false, rejections: hosts.map((h) => ({ host: h.name, verdicts: hostVerdicts(profile, req, h) })) };
  }
  const breakdown: Record<string, number> = {};
  for (const s of compiled.scorers) {
    const part = tidy(s.weight * s.score(req, hosts[best]));
    if (part !== 0) breakdown[s.name] = part;
  }
  return { placed: true, host: hosts[best].name, score, breakdown, candidates: hosts.length, feasible };
}

/** Every host through every filter, the feasible ones scored: the index of the best (-1 for none), its score and how many passed. */
function walk({ filters, scorers }: Compiled, req: PlacementRequest, hosts: readonly HostRecord[]): Choice {
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  let feasible = 0;
  for (let h = 0; h < hosts.length; h++) {
    const host = hosts[h];
    if (!passes(filters, req, host)) continue;
    feasible++;
    let total = 0;
    for (let i = 0; i < scorers.length; i++) total += scorers[i].weight * scorers[i].score(req, host);
    const score = tidy(total);
    if (score > bestScore || (score === bestScore && host.name < hosts[best].name)) {
      best = h;
      bestScore = score;
    }
  }
  return { best, score: bestScore, feasible };
}

/**
 * The error code of a failed placement: Incompatible when no host could ever run the VM,
 * AdmissionControl when a host is held back only by HA admission control (a failover host),
 * InsufficientCapacity when some host could but lacks room (or is down) now.
 */
export function refusalCode(rejections: { verdicts: Verdict[] }[]): ErrorCode {
  const everyHostIncompatible = rejections.length > 0 && rejections.every((r) => r.verdicts.some((v) => v.code === "Incompatible"));
  if (everyHostIncompatible) return "Incompatible";
  const heldByAdmission = rejections.some((r) => r.verdicts.length > 0 && r.verdicts.every((v) => v.code === "AdmissionControl"));
  return heldByAdmission ? "AdmissionControl" : "InsufficientCapacity";
}

export function describeRejections(rejections: { host: string; verdicts: Verdict[] }[]): string[] {
  return rejections.map((r) => `${r.host}: ${r.verdicts.map((v) => v.reason).join("; ")}`);
}
