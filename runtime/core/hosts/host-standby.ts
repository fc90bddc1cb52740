/**
 * Standby (DPM's powered-down state): a standby host counts for neither balance nor admission
 * control. DPM takes hosts there, through an evacuation (host-evacuation.ts), and brings them back;
 * HA brings one back when a restart finds no room on the connected hosts, as vSphere HA calls on DPM
 * for capacity (vSphere Resource Management guide, Managing Power Resources).
 */
import { setHostState } from "./host-state";
import type { HostRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";

/** Starts taking the host to standby; it arrives there once its VMs have migrated away (settle.ts). */
export function beginStandby(txn: Txn, host: string, why: string): void {
  setHostState(txn, txn.get<HostRecord>("Host", host)!, "enteringStandby", { reason: "EnteringStandby", message: why });
  txn.markUnsettled(host);
}

export function exitStandby(txn: Txn, host: string, why: string): void {
  setHostState(txn, txn.get<HostRecord>("Host", host)!, "connected", {
    reason: "StandbyExited",
    message: `${why}: powered on from standby`,
  });
}
