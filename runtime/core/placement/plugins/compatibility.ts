import { incompatibilities } from "../../guests/guest-compatibility";
import type { PlacementPlugin } from "../plugin";
import { isCompatible } from "../guest-on-host";

/** The host's hypervisor release and CPU must be able to run the guest in the requested mode. */
export const compatibility: PlacementPlugin = {
  name: "Compatibility",
  filter(req, host) {
    if (isCompatible(host, req)) return undefined;
    return { code: "Incompatible", reason: incompatibilities(host.spec, req.spec).join("; ") };
  },
};
