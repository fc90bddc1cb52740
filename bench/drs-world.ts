/**
 * Worlds for DRS benchmarks, built record by record (placing 40,000 VMs one apply at a time would
 * benchmark the setup instead): a cluster, hosts of two sizes, and running VMs with workloads put on
 * hosts by a seeded draw that favours the first quarter of the hosts, so that DRS has work.
 */
import { ClusterSpec } from "../schema/cluster";
import { VmSpec } from "../schema/virtual-machine";
import { hostWithFootprint, refreshCluster } from "../runtime/core/allocation/accounting";
import type { ClusterRecord, HostRecord, VmRecord } from "../runtime/core/kernel/model";
import type { World } from "../runtime/core/kernel/model";
import { createWorld } from "../runtime/core/world-setup";
import { emptyDrsStatus, scheduleDrsPass } from "../runtime/core/drs/pass";
import { SeededRandom } from "../runtime/core/kernel/random";
import { resolveVirtualization } from "../runtime/core/guests/guest-compatibility";
import { Txn } from "../runtime/core/kernel/txn";
import { refreshHostUsage } from "../runtime/core/hosts/host-usage";
import { footprintOf, guestCost } from "../runtime/core/guests/vm-footprint";
import { initialStatus, runningStatus } from "../runtime/core/vms/vm-status";
import { benchHost } from "./hosts";

export interface WorldShape {
  hosts: number;
  vms: number;
  seed: number;
  /** Mean CPU demand per VM as a fraction of its fair share of cluster CPU (0.6: a cluster at 60%). */
  utilization?: number;
  /** Host memory in MB (default: 256 or 512 GB); host cores per socket (default: 12 or 16). */
  memoryMb?: (i: number) => number;
  coresPerSocket?: (i: number) => number;
  drs?: Record<string, unknown>;
  ha?: Record<string, unknown>;
  /** Half of the VMs drawn onto the first quarter of the hosts (default), or every VM onto any host. */
  skewed?: boolean;
  /** Workload fields beyond the drawn demand, memory and dirty rate (a profile), per VM. */
  workload?: (n: number) => Record<string, unknown>;
}

export const CLUSTER = "bench";

export function hostName(i: number): string {
  return `esx${String(i).padStart(4, "0")}`;
}

function hostRecord(i: number, shape: WorldShape): HostRecord {
  return benchHost(
    hostName(i),
    CLUSTER,
    shape.coresPerSocket?.(i) ?? (i % 3 === 0 ? 16 : 12),
    shape.memoryMb?.(i) ?? (i % 4 === 0 ? 524288 : 262144),
  );
}

export function buildWorld(shape: WorldShape): World {
  const random = new SeededRandom(shape.seed);
  const world = createWorld({ clockSeconds: 0, randomState: shape.seed, timers: [], nextTimerSeq: 0 });
  const cluster: ClusterRecord = {
    kind: "Cluster",
    name: CLUSTER,
    spec: ClusterSpec.parse({ drs: shape.drs ?? {}, ...(shape.ha ? { ha: shape.ha } : {}) }),
    status: {
      observedGeneration: 1,
      cpuCapacityMhz: 0,
      memoryCapacityMb: 0,
      cpuReservationUsedMhz: 0,
      memoryReservationUsedMb: 0,
      cpuUnreservedMhz: 0,
      memoryUnreservedMb: 0,
      drs: emptyDrsStatus(),
    },
    generation: 1,
  };
  const hosts = Array.from({ length: shape.hosts }, (_, i) => hostRecord(i, shape));
  const totalCpu = hosts.reduce((s, h) => s + h.status.cpuCapacityMhz, 0);
  const meanDemand = ((shape.utilization ?? 0.6) * totalCpu) / shape.vms;
  const totalMemory = hosts.reduce((s, h) => s + h.status.memoryCapacityMb, 0);
  const meanMemory = (0.5 * totalMemory) / shape.vms;
  let reservedMemory = 0;
  for (let n = 0; n < shape.vms; n++) {
    const memoryMb = Math.max(512, Math.round((meanMemory * (0.5 + random.next())) / 256) * 256);
    const spec = VmSpec.parse({
      cluster: CLUSTER,
      vcpus: 1 + Math.floor(random.next() * 4),
      memoryMb,
      guestOs: "linux",
      workload: {
        cpuDemandMhz: Math.round(meanDemand * 2 * random.next()),
        activeMemoryMb: Math.round(memoryMb * (0.25 + 0.75 * random.next())),
        dirtyRateMbps: Math.round(200 * random.next()),
        ...shape.workload?.(n),
      },
    });
    // A quarter of the hosts draws half of the VMs: a skewed start.
    const h =
      shape.skewed !== false && random.next() < 0.5
        ? Math.floor(random.next() * Math.ceil(shape.hosts / 4))
        : Math.floor(random.next() * shape.hosts);
    const host = hosts[h].name;
    const verdict = resolveVirtualization(hosts[h].spec, spec);
    if (!verdict.ok) throw new Error(`bench VM ${n} cannot run on ${host}`);
    const cost = guestCost(spec, verdict.resolution);
    const f = footprintOf(spec, host, CLUSTER, cost);
    const status = runningStatus(
      initialStatus(CLUSTER),
      spec,
      f,
      verdict.resolution,
      verdict.reason,
      cost,
      spec.workload?.cpuDemandMhz ?? 0,
    );
    hosts[h] = hostWithFootprint(hosts[h], f, 1);
    reservedMemory += f.memoryReservationMb;
    const vm: VmRecord = { kind: "VirtualMachine", name: `vm${String(n).padStart(6, "0")}`, spec, status, generation: 1 };
    world.put(vm);
  }
  world.put({ ...cluster, status: { ...cluster.status, memoryReservationUsedMb: reservedMemory } });
  for (const h of hosts) world.put(h);
  const txn = new Txn(world);
  refreshCluster(txn, CLUSTER);
  for (const h of hosts) refreshHostUsage(txn, h.name);
  world.applyChanges(txn.changes());
  return world;
}

/** Seconds between the simulated day's steps, and between its DRS passes. */
export const DAY_STEP_SECONDS = 300;
/** The demand tolerance the simulated day runs with (its baseline keeps every sample exactly). */
export const DAY_TOLERANCE_PERCENT = 5;

/**
 * The simulated day's world (bench/simulated-day.ts): VMs spread over the hosts as DRS keeps them (the
 * DRS bench starts skewed to give one pass work), half of them diurnal (peaks spread over the day) and
 * half bursty, DRS every step, HA on, the demand tolerance given (0: every sample kept exactly).
 */
export function dayWorld(scale: { hosts: number; vms: number }, demandTolerancePercent: number): World {
  const world = buildWorld({
    hosts: scale.hosts,
    vms: scale.vms,
    seed: 7,
    skewed: false,
    drs: {
      automationLevel: "fullyAutomated",
      intervalSeconds: DAY_STEP_SECONDS,
      ...(demandTolerancePercent > 0 ? { demandTolerancePercent } : {}),
    },
    ha: { enabled: true, admissionControl: { policy: "resourcePercentage", cpuPercent: 5, memoryPercent: 5 } },
    workload: (n) => (n % 2 === 0 ? { profile: "diurnal", peakHour: (n / 2) % 24 } : { profile: "bursty", burstProbability: 0.05 }),
  });
  const txn = new Txn(world);
  scheduleDrsPass(txn, CLUSTER, DAY_STEP_SECONDS);
  world.applyChanges(txn.changes());
  return world;
}
