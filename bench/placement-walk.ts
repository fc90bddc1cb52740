/**
 * place() as the plain walk decides: every plugin of the profile asked about every host, one host after
 * the other, the best total winning and ties going to the name that sorts first. The placement bench
 * runs it as the baseline of the host table (runtime/core/placement/host-table.ts), and the property
 * test compares the two results whole.
 */
import type { HostRecord } from "../runtime/core/kernel/model";
import { type PlacementProfile, type PlacementRequest, type PlacementResult, hostVerdicts } from "../runtime/core/placement/framework";
import { tidy } from "../runtime/core/placement/score-rounding";

export function placeByWalk(profile: PlacementProfile, req: PlacementRequest, hosts: readonly HostRecord[]): PlacementResult {
  const scorers = profile.plugins.filter(({ plugin, weight }) => plugin.score && weight !== 0 && plugin.appliesTo?.(req) !== false);
  const parts = (host: HostRecord) => scorers.map(({ plugin, weight }) => ({ name: plugin.name, part: weight * plugin.score!(req, host) }));
  let best: HostRecord | undefined;
  let bestScore = Number.NEGATIVE_INFINITY;
  let feasible = 0;
  for (const host of hosts) {
    if (hostVerdicts(profile, req, host).length > 0) continue;
    feasible++;
    const score = tidy(parts(host).reduce((total, p) => total + p.part, 0));
    if (score > bestScore || (score === bestScore && best !== undefined && host.name < best.name)) {
      best = host;
      bestScore = score;
    }
  }
  if (best === undefined)
    return { placed: false, rejections: hosts.map((h) => ({ host: h.name, verdicts: hostVerdicts(profile, req, h) })) };
  const breakdown: Record<string, number> = {};
  for (const { name, part } of parts(best)) if (tidy(part) !== 0) breakdown[name] = tidy(part);
  return { placed: true, host: best.name, score: bestScore, breakdown, candidates: hosts.length, feasible };
}
