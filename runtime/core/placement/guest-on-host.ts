/**
 * A guest's resolution and overhead on each host, as the placement plugins need them for every host
 * of every decision. Resolutions are memoized per host and guest shape (an interned integer); an entry
 * is valid while the host's spec is the same object (specs are immutable values), so a changed host
 * is resolved again. Everything after the memo lookup is arithmetic: no allocation per host.
 */
import type { HostSpec } from "../../../schema/host";
import { type Resolution, memoryLimitObstacle, resolveIgnoringMemoryLimit } from "../compatibility";
import type { HostRecord } from "../model";
import { cpuOverheadMhz } from "../overhead";
import { overheadCpuPercentFor, overheadMemoryFor } from "../vm-resources";
import type { PlacementRequest } from "./framework";

const memo = new Map<string, { spec: HostSpec; byGuest: (Resolution | null | undefined)[] }>();

/** How the guest would run on this host, ignoring the per-guest memory limit; null when it cannot. */
function resolutionOn(host: HostRecord, req: PlacementRequest): Resolution | null {
  let entry = memo.get(host.name);
  if (entry === undefined || entry.spec !== host.spec) memo.set(host.name, (entry = { spec: host.spec, byGuest: [] }));
  let resolution = entry.byGuest[req.guestId];
  if (resolution === undefined) {
    const verdict = resolveIgnoringMemoryLimit(host.spec, req.spec);
    entry.byGuest[req.guestId] = resolution = verdict.ok ? verdict.resolution : null;
  }
  return resolution;
}

/** The resolution when the guest can run on this host, memory limit included; else null. */
export function compatibleResolution(host: HostRecord, req: PlacementRequest): Resolution | null {
  const resolution = resolutionOn(host, req);
  if (resolution === null || memoryLimitObstacle(resolution.profile, req.spec.memoryMb) !== undefined) return null;
  return resolution;
}

/** Memory the VM reserves on this host: its reservation plus the host's modelled overhead. */
export function memoryNeedOn(host: HostRecord, req: PlacementRequest): number {
  const r = resolutionOn(host, req);
  return req.memoryReservationMb + (r === null ? (req.spec.memoryOverheadMb ?? 0) : overheadMemoryFor(req.spec, r));
}

/** CPU the VM reserves on this host: its reservation plus the hypervisor's overhead for delivering it. */
export function cpuNeedOn(host: HostRecord, req: PlacementRequest): number {
  const r = resolutionOn(host, req);
  if (r === null) return req.cpuReservationMhz;
  return req.cpuReservationMhz + cpuOverheadMhz(overheadCpuPercentFor(req.spec, r), req.cpuReservationMhz);
}
