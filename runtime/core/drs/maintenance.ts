/**
 * Maintenance mode: before a host reports `maintenance`, every VM running on it moves to the host
 * that keeps the cluster's imbalance lowest among those the placement filters accept (mandatory
 * moves, whatever the automation level: the operator asked for it). If any VM cannot move (pinned,
 * a mandatory rule, no capacity), nothing moves and the request fails with each VM and why.
 */
import { refuse } from "../errors";
import type { ClusterRecord, HostRecord } from "../model";
import type { Txn } from "../txn";
import { applyMoves } from "./pass";
import { planEvacuation } from "./plan";
import { ClusterSnapshot } from "./snapshot";

export function evacuateForMaintenance(txn: Txn, hostName: string): void {
  const running = txn.related("vmsOnHost", hostName);
  if (running.length === 0) return;
  const host = txn.get<HostRecord>("Host", hostName)!;
  const subject = { kind: "Host", name: hostName, field: "maintenance" };
  if (host.spec.cluster === undefined) {
    refuse("Conflict", subject, `a standalone host has no other host to evacuate its ${running.length} running VM(s) to; power them off first`, running);
  }
  const cluster = txn.get<ClusterRecord>("Cluster", host.spec.cluster)!;
  const snap = new ClusterSnapshot(txn, cluster.name);
  const plan = planEvacuation(snap, snap.hostIndex.get(hostName)!, `mandatory: host ${hostName} is entering maintenance mode`);
  if (plan.failures.length > 0) {
    refuse("Conflict", subject, `${plan.failures.length} of ${running.length} running VMs cannot be evacuated, so no VM was moved and the host stays ${host.status.state}`, plan.failures);
  }
  applyMoves(txn, plan.moves, cluster.spec.drs.vmCooldownSeconds);
}
