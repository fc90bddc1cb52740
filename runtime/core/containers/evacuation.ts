/**
 * Maintenance mode for a container host: every container running there starts moving (checkpoint/
 * restore, or detach/attach for zones) to the host of its cluster that placement prefers, in name
 * order, and the host enters maintenance once the moves have landed (host-evacuation.ts). Moves on
 * their way to the host are called off. If any container cannot move (pinned to the host, or no
 * other host can run it), nothing moves and the request fails naming each container and why.
 */
import { refuse } from "../kernel/errors";
import type { ContainerRecord, HostRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { abortContainerMove, moveContainer } from "./container-moves";
import { placeContainer } from "./placement";
import { findTemplate } from "./templates";

/** Starts the moves away from `hostName` that can start; returns why the others cannot. */
export function startContainerEvacuation(txn: Txn, hostName: string): string[] {
  const here = txn.get<HostRecord>("Host", hostName)!;
  const blocked: string[] = [];
  for (const c of txn.relatedObjects<ContainerRecord>("containersMigratingTo", hostName)) {
    if (c.spec.host === hostName) blocked.push(`${c.name}: pinned to ${hostName} and moving there`);
    else abortContainerMove(txn, c.name, `its target ${hostName} is entering maintenance mode`);
  }
  // Those already leaving carry on.
  const running = txn.relatedObjects<ContainerRecord>("containersOnHost", hostName).filter((c) => c.status.migration === null);
  for (const c of running) {
    if (c.spec.host === hostName) {
      blocked.push(`${c.name}: pinned to ${hostName}`);
      continue;
    }
    const req = { name: c.name, spec: c.spec, template: findTemplate(txn, c.spec.template)! };
    const others =
      here.spec.cluster === undefined
        ? []
        : txn.relatedObjects<HostRecord>("hostsInCluster", here.spec.cluster).filter((h) => h.name !== hostName);
    const result = placeContainer(txn, req, others);
    if (!result.placed) {
      blocked.push(`${c.name}: ${result.rejections.map((r) => `${r.host}: ${r.reason}`).join("; ") || "no other host in its cluster"}`);
      continue;
    }
    const status = moveContainer(txn, req, c.status, here, result.host);
    txn.put<ContainerRecord>({ ...c, status });
  }
  return blocked;
}

/** Starts every move away from `hostName`, or refuses naming those that cannot leave; returns how many containers are leaving it. */
export function evacuateContainers(txn: Txn, hostName: string): number {
  const blocked = startContainerEvacuation(txn, hostName);
  if (blocked.length > 0)
    refuse(
      "Conflict",
      { kind: "Host", name: hostName, field: "maintenance" },
      `${blocked.length} container(s) cannot leave the host for maintenance; nothing was moved`,
      blocked,
    );
  return txn.related("containersMigratingFrom", hostName).length;
}
