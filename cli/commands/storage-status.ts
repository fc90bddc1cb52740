/** `polyvisor status`: datastores, their use and who mounts them; datastore clusters and Storage DRS. */
import type { DatastoreClusterObject, DatastoreObject } from "../../runtime";
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

export function renderDatastoreClusters(pods: DatastoreClusterObject[]): string | undefined {
  if (pods.length === 0) return undefined;
  return table(
    ["DATASTORE CLUSTER", "DATASTORES", "STORAGE DRS", "SPACE THRESHOLD", "FREE GB", "RECOMMENDATIONS", "RULE VIOLATIONS"],
    pods.map((p) => [
      p.name,
      p.spec.datastores.join(","),
      p.spec.storageDrs.automationLevel,
      `${p.spec.storageDrs.spaceThresholdPercent}%`,
      p.status.freeGb,
      p.status.recommendations.length,
      p.status.violations?.length ?? 0,
    ]),
  );
}
