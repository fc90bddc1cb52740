/**
 * Distributed Power Management (vSphere Resource Management guide, "Managing Power Resources"): a
 * host's utilization is its largest normalized entitlement (CPU or memory). When every connected host
 * is below the low mark, the least utilized host whose VMs can all move without pushing another host
 * above the high mark is evacuated and put in standby, one host per pass; when a host rises above the
 * high mark, a standby host is powered back on. DPM acts only in fullyAutomated clusters.
 * With HA admission control enforced, DPM powers no host down whose capacity the policy needs (the
 * vSphere Resource Management guide, Managing Power Resources, has DPM respect HA's failover
 * requirements); HA takes a standby host back when a restart finds no room (ha/restarts.ts).
 */
import type { DpmSettings } from "../../../schema/cluster";
import type { HostRecord } from "../kernel/model";
import type { PlannedMove } from "./planned-move";
import { planEvacuation, undoMoves } from "./plan";
import type { ClusterSnapshot } from "./snapshot";

const pct = (n: number) => `${Math.round(n * 100)}%`;

function utilization(h: HostRecord): number {
  return Math.max(h.status.cpuEntitlementMhz / h.status.cpuCapacityMhz, h.status.memoryEntitlementMb / h.status.memoryCapacityMb);
}

/** Standby hosts to power on now, each with why. With DPM off every standby host comes back. */
export function hostsToWake(hosts: readonly HostRecord[], dpm: DpmSettings): { host: string; why: string }[] {
  const standby = hosts.filter((h) => h.status.state === "standby");
  if (standby.length === 0) return [];
  if (!dpm.enabled) return standby.map((h) => ({ host: h.name, why: "DPM is disabled: standby hosts are powered back on" }));
  const high = dpm.highUtilizationPercent / 100;
  const hot = hosts.filter((h) => h.status.state === "connected" && utilization(h) > high);
  if (hot.length === 0) return [];
  const list = hot.map((h) => `${h.name} ${pct(utilization(h))}`).join(", ");
  return [{ host: standby[0].name, why: `DPM: ${list} above the high mark ${pct(high)}` }];
}

export interface StandbyPlan {
  host: number;
  moves: PlannedMove[];
  why: string;
}

/**
 * The host to take to standby now, with the moves that empty it, or null (the snapshot is left as
 * planned). `haObjection` says why HA admission control needs a host's capacity, if it does.
 */
export function planStandby(snap: ClusterSnapshot, dpm: DpmSettings, haObjection: (host: string) => readonly string[]): StandbyPlan | null {
  if (!dpm.enabled || snap.active.length <= dpm.minHostsOn) return null;
  const low = dpm.lowUtilizationPercent / 100;
  const high = dpm.highUtilizationPercent / 100;
  const util = (h: number) => snap.load.utilization(snap.slotOf(h));
  const busiest = Math.max(...snap.active.map(util));
  if (busiest >= low) return null;
  const candidates = [...snap.active].sort((a, b) => util(a) - util(b) || a - b);
  for (const host of candidates) {
    const name = snap.hostName(host);
    if (haObjection(name).length > 0) continue;
    const was = util(host);
    const stayBelowHigh = (unit: readonly number[], to: number) => {
      const { cpu, memory } = snap.unitLoad(unit);
      const s = snap.hosts[to].status;
      const slot = snap.slotOf(to);
      const after = Math.max(
        snap.load.normalized(slot, 0) + cpu / s.cpuCapacityMhz,
        snap.load.normalized(slot, 1) + memory / s.memoryCapacityMb,
      );
      return after > high ? `would reach ${pct(after)}, above the high mark ${pct(high)}` : undefined;
    };
    const evacuation = planEvacuation(snap, host, `DPM: evacuating ${name} before standby`, stayBelowHigh);
    if (evacuation.failures.length > 0) {
      undoMoves(snap, evacuation.moves);
      continue;
    }
    snap.setState(host, "standby");
    const why = `DPM: every connected host is below the low mark ${pct(low)} (busiest ${pct(busiest)}); ${name} at ${pct(was)} goes to standby once its ${evacuation.moves.length} migrations land`;
    return { host, moves: evacuation.moves, why };
  }
  return null;
}
