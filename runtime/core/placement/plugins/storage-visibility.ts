import type { PlacementPlugin } from "../plugin";
import { unmountedDatastores } from "../../storage/visibility";

/**
 * A VM runs only on a host that mounts every datastore holding one of its disks, which is what
 * pins a VM with a disk on local storage to that storage's host (storage/visibility.ts).
 */
export const storageVisibility: PlacementPlugin = {
  name: "StorageVisibility",
  appliesTo: (req) => req.spec.disks.length > 0,
  filter(req, host) {
    if (req.spec.disks.length === 0) return undefined;
    const missing = unmountedDatastores(req.spec, host.spec.datastores);
    if (missing.length === 0) return undefined;
    return { code: "Incompatible", reason: `does not mount datastore ${missing.join(", ")} (the VM has disks there)` };
  },
};
