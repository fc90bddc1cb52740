/**
 * Container moves in a DRS pass (`drs.containerMoves`): after the VM moves, load balancing moves
 * containers between connected hosts of the same container technology, by the container move model
 * (migration/container-move-model.ts): checkpoint/restore for OpenVZ and Virtuozzo, which pauses a
 * container for seconds, and, only with `withDowntime`, detach/attach for Solaris zones, which stops
 * the zone for the whole move. The choice is the VM load balancer's (load-balancing.ts), one move at a
 * time: the container whose move leaves the cluster imbalance lowest (ties by container, then host,
 * name), while the imbalance exceeds the threshold's target; it must close a load gap of minGain and
 * pay for itself (cost-benefit.ts, with the move's modelled time; not at threshold 5), and the target
 * must take it as placement would (kernel, memory, processor sets; never an HA failover host). Pinned
 * containers (spec.host), containers in flight and containers of other clusters stay. Up to
 * maxMovesPerPass container moves per pass, besides the VMs'.
 */
import type { DrsSettings } from "../../../schema/cluster";
import { hostWithFootprint } from "../allocation/accounting";
import { containerOverheadCpuMhz } from "../containers/container-overhead";
import { type ContainerRequest, judgeHost, memoryNeedMb } from "../containers/placement";
import { containerFootprint } from "../containers/resources";
import { findTemplate } from "../containers/templates";
import { type ContainerRecord, type HostRecord, compareNames } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import {
  CONTAINER_MOVE_DEFAULTS,
  CONTAINER_TECHNOLOGIES,
  type ContainerTechnology,
  planContainerMove,
} from "../migration/container-move-model";
import { migrationSettings } from "../vms/vm-moves";
import { costBenefit, loadGapClosed, migrationCost } from "./cost-benefit";
import { balancePriority, formatImbalance } from "./imbalance";
import type { BalanceSettings } from "./planned-move";
import type { ClusterSnapshot } from "./snapshot";

export interface PlannedContainerMove {
  container: string;
  fromHost: string;
  toHost: string;
  priority: number;
  reason: string;
}

interface Movable {
  record: ContainerRecord;
  req: ContainerRequest;
  host: number;
  cpu: number;
  memory: number;
}

const AGGRESSIVE = 5;

/** The containers DRS may move, with the load they put on their hosts (as container-usage.ts counts it). */
function movables(txn: Txn, snap: ClusterSnapshot, cluster: string, hosts: readonly number[]): Movable[] {
  const out: Movable[] = [];
  for (const h of hosts) {
    for (const c of txn.relatedObjects<ContainerRecord>("containersOnHost", snap.hostName(h))) {
      if (c.status.migration !== null || c.spec.host !== undefined || c.status.cluster !== cluster || c.status.state !== "running")
        continue;
      const template = findTemplate(txn, c.spec.template);
      if (!template) continue;
      const cpu = c.status.cpuEntitlementMhz + containerOverheadCpuMhz(c.status.cpuEntitlementMhz);
      out.push({ record: c, req: { name: c.name, spec: c.spec, template }, host: h, cpu, memory: memoryNeedMb(c.spec) });
    }
  }
  return out;
}

/** Seconds the move takes by the model, or undefined when the cluster does not allow its kind. */
function moveSeconds(txn: Txn, m: Movable, from: HostRecord, to: HostRecord, mode: DrsSettings["containerMoves"]): number | undefined {
  const plan = planContainerMove(
    {
      technology: from.spec.hypervisor as ContainerTechnology,
      memoryMb: m.req.spec.memoryMb,
      diskGb: m.req.spec.diskGb,
      sharedStorage: from.spec.datastores.some((d) => to.spec.datastores.includes(d)),
    },
    { ...CONTAINER_MOVE_DEFAULTS, bandwidthMbps: migrationSettings(txn, m.record.status.cluster).bandwidthMbps },
  );
  return plan.kind === "detachAttach" && mode !== "withDowntime" ? undefined : plan.totalSeconds;
}

/**
 * Plans container moves on the snapshot, whose loads it updates; targets are judged with the
 * footprints of the moves planned before charged to them, whether or not the caller applies them.
 */
export function planContainerMoves(
  txn: Txn,
  snap: ClusterSnapshot,
  cluster: string,
  s: BalanceSettings,
  mode: DrsSettings["containerMoves"],
  target: number,
): PlannedContainerMove[] {
  if (mode === "off" || s.migrationThreshold === 1) return [];
  const hosts = snap.active.filter((h) => isContainerHost(snap.hosts[h]));
  if (hosts.length < 2) return [];
  const records = new Map(hosts.map((h) => [h, snap.hosts[h]]));
  let pool = movables(txn, snap, cluster, hosts);
  const moves: PlannedContainerMove[] = [];
  while (moves.length < s.maxMovesPerPass) {
    const imbalance = snap.load.imbalance();
    if (imbalance <= target) break;
    const ranked: { m: Movable; to: number; after: number }[] = [];
    for (const m of pool) {
      for (const to of hosts) {
        if (to === m.host || snap.hosts[to].spec.hypervisor !== snap.hosts[m.host].spec.hypervisor) continue;
        const after = snap.load.imbalanceIf(snap.slotOf(m.host), snap.slotOf(to), m.cpu, m.memory);
        if (after < imbalance) ranked.push({ m, to, after });
      }
    }
    ranked.sort((a, b) => a.after - b.after || compareNames(a.m.record.name, b.m.record.name) || a.to - b.to);
    const chosen = ranked.find(({ m, to, after }) => {
      const gain = loadGapClosed(imbalance, after, snap.active.length);
      if (gain < s.minGain) return false;
      const from = records.get(m.host)!;
      const dest = records.get(to)!;
      const seconds = moveSeconds(txn, m, from, dest, mode);
      if (seconds === undefined) return false;
      const share = Math.max(m.cpu / from.status.cpuCapacityMhz, m.memory / from.status.memoryCapacityMb);
      if (!costBenefit(gain, migrationCost(share, seconds), s.intervalSeconds).pays && s.migrationThreshold < AGGRESSIVE) return false;
      return judgeHost(txn, dest, m.req).ok;
    });
    if (!chosen) break;
    const { m, to, after } = chosen;
    const seconds = moveSeconds(txn, m, records.get(m.host)!, records.get(to)!, mode)!;
    moves.push({
      container: m.record.name,
      fromHost: snap.hostName(m.host),
      toHost: snap.hostName(to),
      priority: balancePriority(imbalance, snap.active.length),
      reason: `load balancing of ${snap.hosts[m.host].spec.hypervisor} hosts: imbalance ${formatImbalance(imbalance)} -> ${formatImbalance(after)} (target ${formatImbalance(target)}); the move takes about ${Math.round(seconds)} s`,
    });
    const footprint = containerFootprint(m.req.spec, snap.hostName(to), cluster);
    records.set(to, hostWithFootprint(records.get(to)!, footprint, 1));
    snap.moveLoad(m.host, to, m.cpu, m.memory);
    pool = pool.filter((p) => p !== m);
  }
  return moves;
}

function isContainerHost(h: HostRecord): boolean {
  return (CONTAINER_TECHNOLOGIES as readonly string[]).includes(h.spec.hypervisor);
}
