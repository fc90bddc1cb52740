import type { PlacementPlugin } from "../framework";

/**
 * A VM runs only on a host that mounts every datastore holding one of its disks, which is what
 * pins a VM with a disk on local storage to that storage's host.
 */
export const storageVisibility: PlacementPlugin = {
  name: "StorageVisibility",
  filter(req, host) {
    const disks = req.spec.disks;
    if (disks.length === 0) return undefined;
    const mounted = host.spec.datastores;
    let missing: string[] | undefined;
    for (let i = 0; i < disks.length; i++) {
      const ds = disks[i].datastore;
      if (ds !== undefined && !mounted.includes(ds) && !missing?.includes(ds)) (missing ??= []).push(ds);
    }
    if (missing === undefined) return undefined;
    return { code: "Incompatible", reason: `does not mount datastore ${missing.join(", ")} (the VM has disks there)` };
  },
};
