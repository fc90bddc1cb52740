import type { PlacementPlugin } from "../framework";

/**
 * Failover hosts of the HA failoverHosts policy take only VMs that HA restarts: "vCenter Server will
 * prevent users from powering on virtual machines on that host, or from using vMotion to migrate
 * virtual machines to the host. Also, DRS does not use the failover host for load balancing."
 * (vSphere API reference, ClusterFailoverHostAdmissionControlPolicy.)
 */
export const failoverHosts: PlacementPlugin = {
  name: "FailoverHosts",
  filter(req, host) {
    if (host.status.haFailoverHost !== true || req.purpose === "restart") return undefined;
    return { code: "AdmissionControl", reason: "is an HA failover host: it takes only VMs that HA restarts" };
  },
};
