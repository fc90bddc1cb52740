/**
 * Enforcing HA admission control on user operations: powering on a VM, moving it into a cluster or
 * raising its reservations. The check runs on the operation's result, so "would break the policy"
 * is read from the very state the operation would commit; a refusal drops it whole.
 */
import { refuse } from "../kernel/errors";
import type { ClusterRecord, VmRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { haFigures, isEnforced, policyViolation } from "./admission-control";
import { clusterFigures, usableHosts } from "./cluster-figures";
import { clusterDemand, haDemandOf } from "./demand";

const POLICY_NAMES = {
  slotPolicy: "slot policy",
  resourcePercentage: "resource percentage policy",
  failoverHosts: "failover hosts policy",
  disabled: "disabled",
} as const;

/** Refuses with AdmissionControl when the VM's change grew its cluster's HA demand beyond the policy. */
export function enforceHaAdmission(txn: Txn, before: VmRecord | undefined, after: VmRecord): void {
  const now = haDemandOf(after);
  if (!now) return;
  const was = before && haDemandOf(before);
  const joined = !was || was.cluster !== now.cluster;
  const field = joined
    ? "powerState"
    : now.cpuMhz > was.cpuMhz
      ? "cpu.reservationMhz"
      : now.memoryMb > was.memoryMb
        ? "memory.reservationMb"
        : undefined;
  if (field === undefined) return;
  const cluster = txn.get<ClusterRecord>("Cluster", now.cluster);
  if (!cluster || !isEnforced(cluster.spec)) return;
  const { figures, hosts, demand } = clusterFigures(txn, cluster);
  const lines = policyViolation(cluster.spec, figures, hosts, demand);
  if (lines.length === 0) return;
  const what = joined ? "powering it on" : "raising its reservation";
  refuse(
    "AdmissionControl",
    { kind: "VirtualMachine", name: after.name, field },
    `HA admission control (${POLICY_NAMES[cluster.spec.ha.admissionControl.policy]}) of cluster ${cluster.name} refuses ${what}: the cluster could no longer guarantee failover capacity`,
    lines,
  );
}

/**
 * Why the cluster's enforced policy needs `host`'s capacity (its arithmetic without the host), or
 * nothing: DPM asks before it takes a host to standby, which takes it out of the usable hosts.
 */
export function standbyBreaksAdmission(txn: Txn, cluster: ClusterRecord, host: string): string[] {
  if (!isEnforced(cluster.spec)) return [];
  const hosts = usableHosts(txn, cluster.name).filter((h) => h.name !== host);
  const demand = clusterDemand(txn, cluster.name);
  return policyViolation(cluster.spec, haFigures(cluster.spec, hosts, demand), hosts, demand);
}
