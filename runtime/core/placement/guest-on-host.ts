/**
 * A guest's resolution and reservation needs on each host, as the placement plugins ask for them for
 * every host of every decision. Resolutions are memoized per host and guest shape (an interned
 * integer); an entry is valid while the host's spec is the same object (specs are immutable values),
 * so a changed host is resolved again. The plugins ask about the same host several times in a row
 * (filters, then scores): the request keeps the answer for the host under evaluation, so each host is
 * worked out once, with arithmetic only and no allocation.
 */
import type { HostSpec } from "../../../schema/host";
import { type Resolution, memoryLimitObstacle, resolveIgnoringMemoryLimit } from "../compatibility";
import type { HostRecord } from "../model";
import { hostCpuMhz } from "../allocation/vm-claims";
import { overheadCpuPercentFor, overheadMemoryFor } from "../vm-resources";
import type { GuestOnHost, PlacementRequest } from "./framework";

const memo = new Map<string, { spec: HostSpec; byGuest: (Resolution | null | undefined)[] }>();

/** How the guest would run on this host, ignoring the per-guest memory limit; null when it cannot. */
function memoizedResolution(host: HostRecord, req: PlacementRequest): Resolution | null {
  let entry = memo.get(host.name);
  if (entry === undefined || entry.spec !== host.spec) memo.set(host.name, (entry = { spec: host.spec, byGuest: [] }));
  let resolution = entry.byGuest[req.guestId];
  if (resolution === undefined) {
    const verdict = resolveIgnoringMemoryLimit(host.spec, req.spec);
    entry.byGuest[req.guestId] = resolution = verdict.ok ? verdict.resolution : null;
  }
  return resolution;
}

/**
 * The guest on this host: resolution, reservations and entitlements with the host's overhead (memory;
 * CPU spent delivering the reserved or entitled CPU), as allocation/vm-claims.ts counts them.
 */
export function guestOnHost(host: HostRecord, req: PlacementRequest): GuestOnHost {
  const on = req.onHost;
  if (on.host === host) return on;
  const r = memoizedResolution(host, req);
  const cpuPercent = r === null ? 0 : overheadCpuPercentFor(req.spec, r);
  const memoryOverhead = r === null ? (req.spec.memoryOverheadMb ?? 0) : overheadMemoryFor(req.spec, r);
  on.host = host;
  on.resolution = r;
  on.cpuNeedMhz = hostCpuMhz(req.cpuReservationMhz, cpuPercent);
  on.memoryNeedMb = req.memoryReservationMb + memoryOverhead;
  on.cpuEntitlementMhz = hostCpuMhz(req.cpuEntitlementMhz, cpuPercent);
  on.memoryEntitlementMb = req.memoryEntitlementMb + memoryOverhead;
  return on;
}

/** Whether the guest can run on this host, its memory limit included. */
export function isCompatible(host: HostRecord, req: PlacementRequest): boolean {
  const r = guestOnHost(host, req).resolution;
  return r !== null && memoryLimitObstacle(r.profile, req.spec.memoryMb) === undefined;
}
