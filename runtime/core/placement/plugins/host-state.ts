import type { HostRecord } from "../../kernel/model";
import type { PlacementPlugin } from "../plugin";

export const takesVms = (host: HostRecord) => host.status.state === "connected";

/** Only connected hosts take new VMs: not in maintenance, failed, isolated or standby. */
export const hostState: PlacementPlugin = {
  name: "HostState",
  filter(_req, host) {
    if (takesVms(host)) return undefined;
    return { code: "InsufficientCapacity", reason: `host is ${host.status.state}` };
  },
};
