/** `polyvisor status`: each HA cluster's failover capacity, as admission control computes it. */
import type { ClusterObject } from "../../runtime";
import { table } from "../format";

function capacity(c: ClusterObject): string {
  const ha = c.status.ha;
  if (ha.policy === "resourcePercentage") return `CPU ${ha.cpuFailoverPercent}% / mem ${ha.memoryFailoverPercent}% free (keeps ${ha.configuredCpuFailoverPercent}% / ${ha.configuredMemoryFailoverPercent}%)`;
  if (ha.policy === "failoverHosts") return `failover hosts ${c.spec.ha.admissionControl.failoverHosts.join(", ") || "(none)"}`;
  return `tolerates ${ha.currentFailoverCapacity} of ${ha.hostFailuresToTolerate} host failure(s)`;
}

export function renderHaStatus(clusters: ClusterObject[]): string | undefined {
  const protectedClusters = clusters.filter((c) => c.spec.ha.enabled);
  if (protectedClusters.length === 0) return undefined;
  return table(
    ["HA CLUSTER", "POLICY", "FAILOVER CAPACITY", "SLOT", "SLOTS USED", "SLOTS FREE", "RESTARTING", "PENDING"],
    protectedClusters.map((c) => {
      const ha = c.status.ha;
      return [
        c.name,
        ha.enforced ? ha.policy : `${ha.policy} (not enforced)`,
        capacity(c),
        `${ha.slotCpuMhz} MHz x ${ha.slotMemoryMb} MB`,
        `${ha.usedSlots} of ${ha.totalSlots}`,
        ha.availableSlots,
        ha.restartsInProgress,
        ha.pendingRestarts,
      ];
    }),
  );
}
