/**
 * A guest's resolution and reservation needs on each host, as the placement plugins ask for them for
 * every host of every decision. Resolutions and overheads are memoized per host and guest shape (an
 * interned integer over every guest field they depend on) and kept with the host's spec (specs are
 * immutable values), so a changed host is resolved again. The plugins ask about the same host several times in a row
 * (filters, then scores): the request keeps the answer for the host under evaluation, so each host is
 * worked out once, with arithmetic only and no allocation.
 */
import type { HostSpec } from "../../../schema/host";
import { type Resolution, memoryLimitObstacle, resolveIgnoringMemoryLimit } from "../compatibility";
import type { HostRecord } from "../model";
import { hostCpuMhz } from "../allocation/vm-claims";
import { overheadCpuPercentFor, overheadMemoryFor } from "../vm-resources";
import type { GuestOnHost, PlacementRequest } from "./framework";

/** What running the guest shape on the host costs; the same for every decision until the host changes. */
interface HostFit {
  resolution: Resolution | null;
  /** Resolved, and within the product's per-guest memory limit. */
  compatible: boolean;
  cpuPercent: number;
  memoryOverheadMb: number;
}

/** Fits by host spec, then by guest shape: an entry goes with its host spec. */
const memo = new WeakMap<HostSpec, (HostFit | undefined)[]>();

/** The guest's fit on this host, worked out once per host spec and guest shape. */
function memoizedFit(host: HostRecord, req: PlacementRequest): HostFit {
  let byGuest = memo.get(host.spec);
  if (byGuest === undefined) memo.set(host.spec, (byGuest = []));
  let fit = byGuest[req.guestId];
  if (fit === undefined) {
    const verdict = resolveIgnoringMemoryLimit(host.spec, req.spec);
    const r = verdict.ok ? verdict.resolution : null;
    byGuest[req.guestId] = fit = {
      resolution: r,
      compatible: r !== null && memoryLimitObstacle(r.profile, req.spec.memoryMb) === undefined,
      cpuPercent: r === null ? 0 : overheadCpuPercentFor(req.spec, r),
      memoryOverheadMb: r === null ? (req.spec.memoryOverheadMb ?? 0) : overheadMemoryFor(req.spec, r),
    };
  }
  return fit;
}

/**
 * The guest on this host: resolution, reservations and entitlements with the host's overhead (memory;
 * CPU spent delivering the reserved or entitled CPU), as allocation/vm-claims.ts counts them.
 */
export function guestOnHost(host: HostRecord, req: PlacementRequest): GuestOnHost {
  const on = req.onHost;
  if (on.host === host) return on;
  const fit = memoizedFit(host, req);
  on.host = host;
  on.resolution = fit.resolution;
  on.compatible = fit.compatible;
  on.cpuNeedMhz = hostCpuMhz(req.cpuReservationMhz, fit.cpuPercent);
  on.memoryNeedMb = req.memoryReservationMb + fit.memoryOverheadMb;
  on.cpuEntitlementMhz = hostCpuMhz(req.cpuEntitlementMhz, fit.cpuPercent);
  on.memoryEntitlementMb = req.memoryEntitlementMb + fit.memoryOverheadMb;
  return on;
}

/** Whether the guest can run on this host, its memory limit included. */
export function isCompatible(host: HostRecord, req: PlacementRequest): boolean {
  return guestOnHost(host, req).compatible;
}
