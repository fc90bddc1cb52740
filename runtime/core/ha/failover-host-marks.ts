/**
 * Failover hosts (the failoverHosts admission-control policy): each host records whether its
 * cluster's policy names it, so that the FailoverHosts placement filter, which sees only the host,
 * keeps power-ons, migrations and DRS off it while HA restarts may use it.
 */
import type { ClusterRecord, HostRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";

function isFailoverHost(cluster: ClusterRecord | undefined, host: string): boolean {
  const ha = cluster?.spec.ha;
  return ha?.enabled === true && ha.admissionControl.policy === "failoverHosts" && ha.admissionControl.failoverHosts.includes(host);
}

/** Brings one host's flag in line with its cluster's policy. */
export function syncFailoverHostFlag(txn: Txn, hostName: string): void {
  const host = txn.get<HostRecord>("Host", hostName);
  if (!host) return;
  const cluster = host.spec.cluster === undefined ? undefined : txn.get<ClusterRecord>("Cluster", host.spec.cluster);
  const flag = isFailoverHost(cluster, hostName);
  if ((host.status.haFailoverHost === true) === flag) return;
  txn.put<HostRecord>({ ...host, status: { ...host.status, haFailoverHost: flag } });
  txn.emit(
    "Host",
    hostName,
    flag ? "FailoverHostDesignated" : "FailoverHostReleased",
    flag
      ? `HA failover host of cluster ${cluster!.name}: only HA restarts may place VMs here`
      : "no longer an HA failover host: takes power-ons and migrations again",
  );
}

export function syncFailoverHostFlags(txn: Txn, cluster: string): void {
  for (const host of txn.related("hostsInCluster", cluster)) syncFailoverHostFlag(txn, host);
}
