/** `polyvisor status`: datastores, their use and who mounts them. */
import type { DatastoreObject } from "../../runtime";
import { table } from "../format";

export function renderDatastores(datastores: DatastoreObject[]): string | undefined {
  if (datastores.length === 0) return undefined;
  return table(
    ["DATASTORE", "TYPE", "CAPACITY GB", "USED GB", "FREE GB", "HOSTS", "VMS"],
    datastores.map((d) => [
      d.name,
      d.spec.type,
      d.spec.capacityGb,
      d.status.usedGb,
      d.status.freeGb,
      d.status.hosts.join(",") || "-",
      d.status.vms.length,
    ]),
  );
}
