/**
 * Maintenance mode for a container host: every container running there moves (checkpoint/restore, or
 * detach/attach for zones) to the host of its cluster that placement prefers, in name order. If any
 * cannot move (pinned to the host, or no other host can run it), nothing moves and the request fails
 * naming each container and why.
 */
import { refuse } from "../errors";
import type { ContainerRecord, HostRecord } from "../model";
import type { Txn } from "../txn";
import { moveContainer, releaseContainer } from "./moves";
import { placeContainer } from "./placement";
import { findTemplate } from "./templates";

export function evacuateContainers(txn: Txn, hostName: string): number {
  const here = txn.get<HostRecord>("Host", hostName)!;
  const running = txn.relatedObjects<ContainerRecord>("containersOnHost", hostName);
  const blocked: string[] = [];
  for (const c of running) {
    if (c.spec.host === hostName) {
      blocked.push(`${c.name}: pinned to ${hostName}`);
      continue;
    }
    const req = { name: c.name, spec: c.spec, template: findTemplate(txn, c.spec.template)! };
    const others = here.spec.cluster === undefined ? [] : txn.relatedObjects<HostRecord>("hostsInCluster", here.spec.cluster).filter((h) => h.name !== hostName);
    const result = placeContainer(txn, req, others);
    if (!result.placed) {
      blocked.push(`${c.name}: ${result.rejections.map((r) => `${r.host}: ${r.reason}`).join("; ") || "no other host in its cluster"}`);
      continue;
    }
    releaseContainer(txn, c);
    const status = moveContainer(txn, req, c.status, here, result.host);
    txn.put<ContainerRecord>({ ...c, status });
  }
  if (blocked.length > 0) refuse("Conflict", { kind: "Host", name: hostName, field: "maintenance" }, `${blocked.length} container(s) cannot leave the host for maintenance; nothing was moved`, blocked);
  return running.length;
}
