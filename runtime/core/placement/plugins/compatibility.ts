import type { HostSpec } from "../../../../schema/host";
import { Resolution, resolveVirtualization } from "../../compatibility";
import type { PlacementPlugin } from "../framework";

/**
 * Resolutions memoized per host spec (specs are immutable values) and guest profile: placement
 * asks the same question for every host and many VMs share a profile.
 */
const memo = new WeakMap<HostSpec, Map<string, Resolution>>();

/** The host's hypervisor and CPU must be able to run the guest in the requested mode. */
export const compatibility: PlacementPlugin = {
  name: "Compatibility",
  filter(req, host) {
    let byGuest = memo.get(host.spec);
    if (!byGuest) memo.set(host.spec, (byGuest = new Map()));
    let r = byGuest.get(req.guestProfile);
    if (!r) byGuest.set(req.guestProfile, (r = resolveVirtualization(host.spec, req.spec)));
    return r.ok ? undefined : { code: "Incompatible", reason: r.missing.join("; ") };
  },
};
