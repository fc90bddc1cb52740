import type { HostSpec } from "../../../../schema/host";
import type { HostRecord } from "../../model";
import { type ResolvedMode, incompatibilities, resolveMode } from "../../compatibility";
import type { PlacementPlugin, PlacementRequest } from "../framework";

/**
 * Resolved modes memoized per host and guest profile: placement asks the same question for every
 * host and every VM, and most VMs share a handful of profiles. An entry is valid while the host's
 * spec is the same object (specs are immutable values), so a changed host is re-resolved.
 */
const memo = new Map<string, { spec: HostSpec; byGuest: (ResolvedMode | null | undefined)[] }>();

function modeFor(host: HostRecord, req: PlacementRequest): ResolvedMode | null {
  let entry = memo.get(host.name);
  if (entry === undefined || entry.spec !== host.spec) memo.set(host.name, (entry = { spec: host.spec, byGuest: [] }));
  let mode = entry.byGuest[req.guestId];
  if (mode === undefined) entry.byGuest[req.guestId] = mode = resolveMode(host.spec, req.spec) ?? null;
  return mode;
}

/** The host's hypervisor and CPU must be able to run the guest in the requested mode. */
export const compatibility: PlacementPlugin = {
  name: "Compatibility",
  filter(req, host) {
    if (modeFor(host, req) !== null) return undefined;
    return { code: "Incompatible", reason: incompatibilities(host.spec, req.spec).join("; ") };
  },
};
