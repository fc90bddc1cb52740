/** HA restart priorities: a VM's own, else its cluster's default; `disabled` is never restarted. */
import type { ClusterSpec } from "../../../schema/cluster";
import type { RestartPriority as Priority, RestartPrioritySetting } from "../../../schema/common";
import type { z } from "zod";
import type { VmSpec } from "../../../schema/virtual-machine";

export type RestartPriority = z.infer<typeof Priority>;

/** Higher restarts first. */
export const PRIORITY_RANK: Record<RestartPriority, number> = { lowest: 1, low: 2, medium: 3, high: 4, highest: 5 };

export function restartPriority(vm: Pick<VmSpec, "haRestartPriority">, cluster: ClusterSpec): z.infer<typeof RestartPrioritySetting> {
  return vm.haRestartPriority ?? cluster.ha.restartPriority;
}

/** The rank of a VM HA restarts; 0 for a VM it never restarts. */
export function restartRank(vm: Pick<VmSpec, "haRestartPriority">, cluster: ClusterSpec): number {
  const p = restartPriority(vm, cluster);
  return p === "disabled" ? 0 : PRIORITY_RANK[p];
}
