/**
 * A guest's resolution and reservation needs on each host, as the placement plugins ask for them for
 * every host of every decision. The resolution and the CPU overhead percentage are memoized per host
 * and guest shape (an interned integer over the guest fields they depend on); the memory overhead
 * and the memory limit, which depend on the memory size, are arithmetic per host. Keyed by the host's
 * spec (an immutable value) in a WeakMap: a changed host is resolved again, an entry goes with the
 * spec it describes, and two runtimes in one process never share one. The plugins
 * ask about the same host several times in a row (filters, then scores): the request keeps the
 * answer for the host under evaluation, so each host is worked out once, with arithmetic only and no
 * allocation.
 */
import type { HostSpec } from "../../../schema/host";
import { type Resolution, memoryLimitObstacle, resolveIgnoringMemoryLimit } from "../guests/guest-compatibility";
import type { HostRecord } from "../kernel/model";
import { hostCpuMhz } from "../allocation/vm-claims";
import { overheadCpuPercentFor, overheadMemoryFor } from "../guests/vm-footprint";
import type { GuestOnHost, PlacementRequest } from "./plugin";

/** How the guest shape runs on the host and its CPU overhead; the same for every decision until the host changes. */
interface HostFit {
  resolution: Resolution | null;
  cpuPercent: number;
}

/** Fits by host spec, then by guest shape. */
const memo = new WeakMap<HostSpec, (HostFit | undefined)[]>();

/** The guest's fit on this host, worked out once per host spec and guest shape. */
function memoizedFit(host: HostRecord, req: PlacementRequest): HostFit {
  let byGuest = memo.get(host.spec);
  if (byGuest === undefined) memo.set(host.spec, (byGuest = []));
  let fit = byGuest[req.guestId];
  if (fit === undefined) {
    const verdict = resolveIgnoringMemoryLimit(host.spec, req.spec);
    const r = verdict.ok ? verdict.resolution : null;
    byGuest[req.guestId] = fit = { resolution: r, cpuPercent: r === null ? 0 : overheadCpuPercentFor(req.spec, r) };
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
  const { resolution: r, cpuPercent } = memoizedFit(host, req);
  // The memory size is not in the guest shape (fewer entries to fill per host): overhead and limit per host.
  const memoryOverhead = r === null ? (req.spec.memoryOverheadMb ?? 0) : overheadMemoryFor(req.spec, r);
  on.host = host;
  on.resolution = r;
  on.compatible = r !== null && memoryLimitObstacle(r.profile, req.spec.memoryMb) === undefined;
  on.cpuOverheadPercent = cpuPercent;
  on.memoryOverheadMb = memoryOverhead;
  on.cpuNeedMhz = hostCpuMhz(req.cpuReservationMhz, cpuPercent);
  on.memoryNeedMb = req.memoryReservationMb + memoryOverhead;
  on.cpuEntitlementMhz = hostCpuMhz(req.cpuEntitlementMhz, cpuPercent);
  on.memoryEntitlementMb = req.memoryEntitlementMb + memoryOverhead;
  return on;
}

/** Whether the guest can run on this host, its memory limit included. */
export function isCompatible(host: HostRecord, req: PlacementRequest): boolean {
  return guestOnHost(host, req).compatible;
}
