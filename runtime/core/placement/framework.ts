/**
 * Placement as small plugins, after the Kubernetes scheduler framework: each plugin may filter
 * (a hard constraint with a reason) and score (a preference, 0..100). A profile lists plugins
 * with weights. The best total wins; ties go to the host whose name sorts first.
 */
import type { VmSpec } from "../../../schema/virtual-machine";
import type { ErrorCode } from "../errors";
import type { HostObject } from "../model";

export interface PlacementRequest {
  vm: string;
  spec: VmSpec;
  cpuReservationMhz: number;
  /** Memory reservation plus overhead. */
  memoryReservationMb: number;
  /** The guest fields compatibility depends on, as one key. */
  guestProfile: string;
}

export function placementRequest(vm: string, spec: VmSpec, cpuReservationMhz: number, memoryReservationMb: number): PlacementRequest {
  const guestProfile = `${spec.guestOs}/${spec.guestArch}/${spec.virtualization}/${spec.vcpus}`;
  return { vm, spec, cpuReservationMhz, memoryReservationMb, guestProfile };
}

/** Why a host cannot take the VM. */
export interface Verdict {
  plugin: string;
  code: ErrorCode;
  reason: string;
}

export interface PlacementPlugin {
  readonly name: string;
  filter?(req: PlacementRequest, host: HostObject): Omit<Verdict, "plugin"> | undefined;
  /** Higher is better, 0..100. */
  score?(req: PlacementRequest, host: HostObject): number;
}

export interface PlacementProfile {
  readonly plugins: readonly { plugin: PlacementPlugin; weight: number }[];
}

export type PlacementResult =
  | { placed: true; host: string; score: number; breakdown: Record<string, number>; candidates: number; feasible: number }
  | { placed: false; rejections: { host: string; verdicts: Verdict[] }[] };

/** Scores are rounded so that float noise never decides between two hosts. */
function tidy(score: number): number {
  return Math.round(score * 1e6) / 1e6;
}

function firstVerdict(profile: PlacementProfile, req: PlacementRequest, host: HostObject): Verdict | undefined {
  for (const { plugin } of profile.plugins) {
    const v = plugin.filter?.(req, host);
    if (v) return { plugin: plugin.name, ...v };
  }
  return undefined;
}

function allVerdicts(profile: PlacementProfile, req: PlacementRequest, host: HostObject): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const { plugin } of profile.plugins) {
    const v = plugin.filter?.(req, host);
    if (v) verdicts.push({ plugin: plugin.name, ...v });
  }
  return verdicts;
}

function totalScore(profile: PlacementProfile, req: PlacementRequest, host: HostObject): number {
  let total = 0;
  for (const { plugin, weight } of profile.plugins) {
    if (plugin.score) total += weight * plugin.score(req, host);
  }
  return tidy(total);
}

/** Picks a host for the request among `hosts` (sorted by name). */
export function place(profile: PlacementProfile, req: PlacementRequest, hosts: readonly HostObject[]): PlacementResult {
  let best: HostObject | undefined;
  let bestScore = -Infinity;
  let feasible = 0;
  for (const host of hosts) {
    if (firstVerdict(profile, req, host)) continue;
    feasible++;
    const score = totalScore(profile, req, host);
    if (score > bestScore || (score === bestScore && best !== undefined && host.name < best.name)) {
      best = host;
      bestScore = score;
    }
  }
  if (!best) {
    return { placed: false, rejections: hosts.map((h) => ({ host: h.name, verdicts: allVerdicts(profile, req, h) })) };
  }
  const breakdown: Record<string, number> = {};
  for (const { plugin, weight } of profile.plugins) {
    if (plugin.score) breakdown[plugin.name] = tidy(weight * plugin.score(req, best));
  }
  return { placed: true, host: best.name, score: bestScore, breakdown, candidates: hosts.length, feasible };
}

/**
 * The error code of a failed placement: Incompatible when no host could ever run the VM,
 * InsufficientCapacity when some host could but lacks room (or is down) now.
 */
export function refusalCode(rejections: { verdicts: Verdict[] }[]): ErrorCode {
  const everyHostIncompatible = rejections.length > 0 && rejections.every((r) => r.verdicts.some((v) => v.code === "Incompatible"));
  return everyHostIncompatible ? "Incompatible" : "InsufficientCapacity";
}

export function describeRejections(rejections: { host: string; verdicts: Verdict[] }[]): string[] {
  return rejections.map((r) => `${r.host}: ${r.verdicts.map((v) => v.reason).join("; ")}`);
}
