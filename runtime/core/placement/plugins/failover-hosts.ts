import type { PlacementPlugin, PlacementPurpose } from "../plugin";

/** Whether a placement for this purpose must keep off failover hosts. */
export const keepsOffFailoverHosts = (purpose: PlacementPurpose) => purpose !== "restart" && purpose !== "reconfigure";

/**
 * Failover hosts of the HA failoverHosts policy take only VMs that HA restarts: "vCenter Server will
 * prevent users from powering on virtual machines on that host, or from using vMotion to migrate
 * virtual machines to the host. Also, DRS does not use the failover host for load balancing."
 * (vSphere API reference, ClusterFailoverHostAdmissionControlPolicy.) A VM HA restarted there may be
 * reconfigured where it runs.
 */
export const failoverHosts: PlacementPlugin = {
  name: "FailoverHosts",
  appliesTo: (req) => keepsOffFailoverHosts(req.purpose),
  filter(req, host) {
    if (host.status.haFailoverHost !== true || !keepsOffFailoverHosts(req.purpose)) return undefined;
    return { code: "AdmissionControl", reason: "is an HA failover host: it takes only VMs that HA restarts" };
  },
};
