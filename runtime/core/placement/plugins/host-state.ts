import type { PlacementPlugin } from "../framework";

/** Only connected hosts take new VMs: not in maintenance, failed, isolated or standby. */
export const hostState: PlacementPlugin = {
  name: "HostState",
  filter(_req, host) {
    if (host.status.state === "connected") return undefined;
    return { code: "InsufficientCapacity", reason: `host is ${host.status.state}` };
  },
};
