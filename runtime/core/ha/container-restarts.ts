/**
 * HA for containers: a container that goes down with a crashed host restarts on another host of its
 * cluster once HA declares the failure, highest restart priority first (then by name), wherever it
 * is placed like a new one (placement.ts); one that finds no room waits, pending, and is retried
 * when a host recovers or capacity is freed. A container keeps its addresses throughout.
 */
import { chargeFootprint } from "../allocation/accounting";
import type { ClusterRecord, ContainerRecord, HostRecord } from "../kernel/model";
import { PRIORITY_RANK, restartPriority } from "./priority";
import type { Txn } from "../kernel/txn";
import { placeContainer } from "../containers/placement";
import { containerFootprint } from "../containers/resources";
import { findTemplate } from "../containers/templates";
import { setContainerRestart } from "./restart-state";

/** Stops the containers of a crashed host; those HA protects wait for a restart. Returns how many. */
export function takeDownContainers(txn: Txn, host: HostRecord, cluster: ClusterRecord | undefined): number {
  let protectedCount = 0;
  for (const c of txn.relatedObjects<ContainerRecord>("containersOnHost", host.name)) {
    chargeFootprint(txn, containerFootprint(c.spec, host.name, c.status.cluster), -1);
    const priority = cluster?.spec.ha.enabled ? restartPriority(c.spec, cluster.spec) : "disabled";
    const restart = priority !== "disabled";
    if (restart) protectedCount++;
    const haRestart = restart ? { fromHost: host.name, downSinceSeconds: txn.clockSeconds, pendingReason: null } : null;
    const stopped = {
      ...c.status,
      state: "stopped" as const,
      currentHost: null,
      brand: null,
      cpuEntitlementMhz: 0,
      projectEntitlementsMhz: {},
    };
    setContainerRestart(txn, c, haRestart, undefined, stopped);
    const fate = restart
      ? `HA restarts it (priority ${priority}) once the failure is declared`
      : cluster?.spec.ha.enabled
        ? "restart priority disabled: HA leaves it stopped"
        : "HA is off: it stays stopped";
    txn.emit("Container", c.name, "Crashed", `went down with host ${host.name} (crash); ${fate}`);
  }
  return protectedCount;
}

/** Restarts the containers HA owes a restart in the cluster, by priority; the others stay pending. */
export function restartContainers(txn: Txn, cluster: string): void {
  const c = txn.get<ClusterRecord>("Cluster", cluster);
  if (!c) return;
  const owed = txn.relatedObjects<ContainerRecord>("containerRestartsInCluster", cluster);
  const rank = (r: ContainerRecord) => {
    const p = restartPriority(r.spec, c.spec);
    return p === "disabled" ? 0 : PRIORITY_RANK[p];
  };
  const order = [...owed].sort((a, b) => rank(b) - rank(a));
  for (const r of order) {
    const template = findTemplate(txn, r.spec.template);
    if (!template) continue;
    const req = { name: r.name, spec: r.spec, template };
    const candidates =
      r.spec.host !== undefined ? [txn.get<HostRecord>("Host", r.spec.host)!] : txn.relatedObjects<HostRecord>("hostsInCluster", cluster);
    const result = placeContainer(txn, req, candidates, true);
    const down = r.status.haRestart!;
    if (!result.placed) {
      const reason = result.rejections.map((x) => `${x.host}: ${x.reason}`).join("; ");
      if (down.pendingReason !== reason) {
        setContainerRestart(
          txn,
          r,
          { ...down, pendingReason: reason },
          { reason: "HaRestartPending", message: `no host can take it now (${reason}); HA retries when capacity returns` },
        );
      }
      continue;
    }
    chargeFootprint(txn, containerFootprint(r.spec, result.host.name, cluster), 1);
    setContainerRestart(
      txn,
      r,
      null,
      {
        reason: "HaRestarted",
        message: `restarted on ${result.host.name} after host ${down.fromHost} failed (down ${txn.clockSeconds - down.downSinceSeconds} s); addresses kept: ${r.status.ipAddresses.join(", ") || "none"}`,
      },
      { ...r.status, state: "running", currentHost: result.host.name, brand: result.brand },
    );
  }
}
