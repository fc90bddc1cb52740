import type { PlacementPlugin } from "../plugin";

/** A VM with `host` set must run on that host. */
export const pinning: PlacementPlugin = {
  name: "Pinning",
  appliesTo: (req) => req.pinnedHost !== undefined,
  filter(req, host) {
    const pinned = req.pinnedHost;
    if (pinned === undefined || pinned === host.name) return undefined;
    return { code: "Incompatible", reason: `the VM is pinned to host ${pinned}` };
  },
};
