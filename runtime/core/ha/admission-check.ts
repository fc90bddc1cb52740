/**
 * Enforcing HA admission control on user operations: powering on a VM or starting a container, moving
 * it into a cluster, or raising its reservations (a container's memory limit). The check runs on the operation's result, so "would break the policy"
 * is read from the very state the operation would commit; a refusal drops it whole.
 */
import { refuse } from "../kernel/errors";
import type { ClusterRecord, ContainerRecord, VmRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { haFigures, isEnforced, policyViolation } from "./admission-control";
import { clusterFigures, usableHosts } from "./cluster-figures";
import { type VmDemand, clusterDemand, haContainerDemandOf, haDemandOf } from "./demand";

const POLICY_NAMES = {
  slotPolicy: "slot policy",
  resourcePercentage: "resource percentage policy",
  failoverHosts: "failover hosts policy",
  disabled: "disabled",
} as const;

/** Refuses with AdmissionControl when the VM's change grew its cluster's HA demand beyond the policy. */
export function enforceHaAdmission(txn: Txn, before: VmRecord | undefined, after: VmRecord): void {
  enforce(txn, before, after, haDemandOf);
}

/** The same for a container: starting it, or raising its memory limit, in a cluster whose policy has no room left. */
export function enforceContainerHaAdmission(txn: Txn, before: ContainerRecord | undefined, after: ContainerRecord): void {
  enforce(txn, before, after, haContainerDemandOf);
}

function enforce(
  txn: Txn,
  before: VmRecord | ContainerRecord | undefined,
  after: VmRecord | ContainerRecord,
  demandOf: (obj: VmRecord | ContainerRecord) => VmDemand | undefined,
): void {
  const now = demandOf(after);
  if (!now) return;
  const was = before && demandOf(before);
  const joined = !was || was.cluster !== now.cluster;
  const container = after.kind === "Container";
  const field = joined
    ? container
      ? "state"
      : "powerState"
    : now.cpuMhz > was.cpuMhz
      ? "cpu.reservationMhz"
      : now.memoryMb > was.memoryMb
        ? container
          ? "memoryMb"
          : "memory.reservationMb"
        : undefined;
  if (field === undefined) return;
  const cluster = txn.get<ClusterRecord>("Cluster", now.cluster);
  if (!cluster || !isEnforced(cluster.spec)) return;
  const { figures, hosts, demand } = clusterFigures(txn, cluster);
  const lines = policyViolation(cluster.spec, figures, hosts, demand);
  if (lines.length === 0) return;
  const what = joined ? (container ? "starting it" : "powering it on") : container ? "raising its memory limit" : "raising its reservation";
  refuse(
    "AdmissionControl",
    { kind: after.kind, name: after.name, field },
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
