/** `polyvisor status`: each HA cluster's failover capacity, as admission control computes it. */
import type { ClusterObject } from "../../runtime";
import { table } from "../format";

function capacity(c: ClusterObject): string {
  const ha = c.status.ha;
  if (ha.policy === "resourcePercentage") {
    return `unreserved: CPU ${ha.cpuFailoverPercent}%, memory ${ha.memoryFailoverPercent}% (policy keeps CPU ${ha.configuredCpuFailoverPercent}%, memory ${ha.configuredMemoryFailoverPercent}%)`;
  }
  if (ha.policy === "failoverHosts") return `failover hosts ${c.spec.ha.admissionControl.failoverHosts.join(", ") || "(none)"}`;
  return `tolerates ${ha.currentFailoverCapacity} of ${ha.hostFailuresToTolerate} host failure(s)`;
}

/** Slots of the hostFailuresToTolerate largest hosts: set aside for restarting the VMs of failed hosts. */
function failoverSlots(c: ClusterObject): number {
  const perHost = Object.values(c.status.ha.slotsPerHost).sort((a, b) => b - a);
  return perHost.slice(0, c.status.ha.hostFailuresToTolerate).reduce((a, b) => a + b, 0);
}

export function renderHaStatus(clusters: ClusterObject[]): string | undefined {
  const protectedClusters = clusters.filter((c) => c.spec.ha.enabled);
  if (protectedClusters.length === 0) return undefined;
  return table(
    ["HA CLUSTER", "POLICY", "FAILOVER CAPACITY", "SLOT", "SLOTS TOTAL", "USED", "HELD FOR FAILOVER", "FREE", "RESTARTING", "PENDING"],
    protectedClusters.map((c) => {
      const ha = c.status.ha;
      return [
        c.name,
        ha.enforced ? ha.policy : `${ha.policy} (not enforced)`,
        capacity(c),
        `${ha.slotCpuMhz} MHz x ${ha.slotMemoryMb} MB`,
        ha.totalSlots,
        ha.usedSlots,
        failoverSlots(c),
        ha.availableSlots,
        ha.restartsInProgress,
        ha.pendingRestarts,
      ];
    }),
  );
}
