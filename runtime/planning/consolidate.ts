/**
 * Consolidation planning: how few identical hosts carry a set of physical servers as VMs, and
 * survive N host failures under an HA admission-control policy. Each server is sized as a VM from its
 * utilization and judged on the planned host by the runtime's own rules (hypervisor profiles,
 * compatibility, overhead, HA admission arithmetic); the packing is packing.ts. Pure and
 * deterministic: the same inventory and options give the same plan.
 * Glossary: HA = high availability, P2V = physical to virtual.
 */
import { ClusterSpec, type ClusterSpecInput } from "../../schema/cluster";
import { HostSpec, type CpuFeature, type HostSpecInput, type Hypervisor, hypervisorVersionOf } from "../../schema/host";
import { VmSpec, type VmSpecInput } from "../../schema/virtual-machine";
import { hostCpuMhz } from "../core/allocation/vm-claims";
import { resolveVirtualization } from "../core/guests/guest-compatibility";
import { invalidInput, refuse } from "../core/kernel/errors";
import { haFigures, policyViolation } from "../core/ha/admission-control";
import type { DemandTotals } from "../core/ha/demand";
import { compareNames } from "../core/kernel/model";
import { hostCapacity } from "../core/kinds/host";
import { guestCost } from "../core/guests/vm-footprint";
import { type Sample, type Server, percentile } from "./inventory";
import { type PackItem, pack } from "./packing";

export type HaPolicy = "resourcePercentage" | "slotPolicy" | "failoverHosts";

export interface HostModel {
  cores: number;
  mhz: number;
  memoryMb: number;
  hypervisor: Hypervisor;
  hypervisorVersion?: string;
  vendor: "intel" | "amd";
  features: CpuFeature[];
}

export interface PlanOptions {
  host: HostModel;
  /** Host failures the plan survives; 0: no HA. */
  haFailures: number;
  haPolicy: HaPolicy;
  /** Share of each host's CPU and memory the packing leaves free. */
  headroomPercent: number;
  /** Samples over time per server (in time order): packed by peak-aligned demand, unless `percentile` is set. */
  samples?: Map<string, Sample[]>;
  /** Sizes each server at this percentile of its samples instead. */
  percentile?: number;
  clusterName?: string;
  hostPrefix?: string;
}

export interface Placement {
  server: string;
  host: string;
  vcpus: number;
  memoryMb: number;
  cpuMhz: number;
}

export interface HostUsage {
  host: string;
  /** What the host's VMs reserve, overhead included (at the host's peak time for samples). */
  cpuMhz: number;
  memoryMb: number;
  cpuCapacityMhz: number;
  memoryCapacityMb: number;
  vms: number;
}

export interface Plan {
  hosts: number;
  lowerBound: number;
  placements: Placement[];
  hostUsage: HostUsage[];
  /** Hosts kept empty for failover (HA). */
  spareHosts: string[];
  heuristic: string;
  optimal: boolean;
  byHeuristic: Record<string, number>;
  /** The objects as declared (inputs: defaults left to the runtime), for a runtime or a Pulumi program. */
  cluster: { name: string; spec: ClusterSpecInput };
  hostSpecs: { name: string; spec: HostSpecInput }[];
  vmSpecs: { name: string; spec: VmSpecInput; server: Server; image?: string }[];
}

/** Hosts added beyond packing plus N when the policy's rounding asks for more; past this, the plan fails. */
const MAX_EXTRA_HOSTS = 1000;

/** What one server needs on the planned host, per dimension (CPU then memory, per time slot). */
interface SizedServer {
  server: Server;
  spec: VmSpec;
  size: number[];
  /** Reservations per time slot (one slot without samples): CPU MHz, memory MB. */
  cpuBySlot: number[];
  memoryBySlot: number[];
  overheadMemoryMb: number;
  overheadCpuPercent: number;
}

export function hostInput(model: HostModel, cluster: string): HostSpecInput {
  return {
    cluster,
    hypervisor: model.hypervisor,
    ...(model.hypervisorVersion === undefined ? {} : { hypervisorVersion: model.hypervisorVersion }),
    cpu: { sockets: 1, coresPerSocket: model.cores, mhz: model.mhz, vendor: model.vendor, features: model.features },
    memoryMb: model.memoryMb,
  };
}

/** The planned hosts' spec, validated as the runtime validates a Host. */
function hostSpecOf(model: HostModel, cluster: string): HostSpec {
  const parsed = HostSpec.safeParse(hostInput(model, cluster));
  if (parsed.success) return parsed.data;
  throw invalidInput({ kind: "HostModel", name: "planned host" }, parsed.error, "spec");
}

/** The utilization each slot sizes the server at: its own figures, a percentile of samples, or every sample. */
function utilizationSlots(server: Server, options: PlanOptions): { cpuPercent: number; memoryPercent: number }[] {
  const samples = options.samples?.get(server.name);
  if (!samples) return [server];
  if (options.percentile !== undefined) {
    return [
      {
        cpuPercent: percentile(
          samples.map((s) => s.cpuPercent),
          options.percentile,
        ),
        memoryPercent: percentile(
          samples.map((s) => s.memoryPercent),
          options.percentile,
        ),
      },
    ];
  }
  return samples;
}

/** The server as a VM on the planned host: sized from its utilization, checked by the runtime's compatibility rules. */
function sizeServer(server: Server, host: HostSpec, cluster: string, options: PlanOptions): SizedServer {
  const slots = utilizationSlots(server, options);
  const cpuBySlot = slots.map((u) => Math.ceil((server.cores * server.mhz * u.cpuPercent) / 100));
  const memoryBySlot = slots.map((u) => Math.max(4, Math.ceil((server.memoryMb * u.memoryPercent) / 100)));
  const peakCpu = Math.max(...cpuBySlot);
  const peakMemory = Math.max(...memoryBySlot);
  // Right-sized: as many vCPUs as the host's cores need to deliver the peak, at most the server's cores.
  const vcpus = Math.min(server.cores, Math.max(1, Math.ceil(peakCpu / host.cpu.mhz)));
  const spec = VmSpec.parse(vmInput(server, cluster, vcpus, peakMemory, cpuBySlot[0], memoryBySlot[0], peakCpu));
  const verdict = resolveVirtualization(host, spec);
  if (!verdict.ok) {
    refuse(
      "Incompatible",
      { kind: "Server", name: server.name },
      `cannot run as a VM on the planned ${host.hypervisor} ${hypervisorVersionOf(host)} hosts`,
      verdict.obstacles.map((o) => o.text),
    );
  }
  const cost = guestCost(spec, verdict.resolution);
  const size: number[] = [];
  slots.forEach((_, t) => {
    size.push(Math.ceil(hostCpuMhz(cpuBySlot[t], cost.overheadCpuPercent)));
    size.push(Math.ceil(memoryBySlot[t] + cost.overheadMemoryMb));
  });
  return {
    server,
    spec,
    size,
    cpuBySlot,
    memoryBySlot,
    overheadMemoryMb: cost.overheadMemoryMb,
    overheadCpuPercent: cost.overheadCpuPercent,
  };
}

/** The VM a server becomes, as declared: reservations, configured size and the CPU its workload demands. */
function vmInput(
  server: Server,
  cluster: string,
  vcpus: number,
  memoryMb: number,
  cpuReservationMhz: number,
  memoryReservationMb: number,
  cpuDemandMhz: number,
): VmSpecInput {
  return {
    cluster,
    vcpus,
    memoryMb,
    guestOs: server.os,
    guestArch: server.arch,
    cpu: { reservationMhz: cpuReservationMhz },
    memory: { reservationMb: memoryReservationMb },
    workload: { cpuDemandMhz },
  };
}

function hostName(prefix: string, i: number, count: number): string {
  return `${prefix}${String(i + 1).padStart(Math.max(2, String(count).length), "0")}`;
}

/** HA demand of the planned VMs as the runtime's admission control counts it (ha/demand.ts). */
function demandOf(vms: readonly { spec: VmSpec; overheadMemoryMb: number }[]): DemandTotals {
  const totals = { vms: 0, cpuMhz: 0, vmsWithoutCpuReservation: 0, memoryMb: 0, largestCpuMhz: 0, largestMemoryMb: 0 };
  for (const { spec, overheadMemoryMb } of vms) {
    const memory = spec.memory.reservationMb + overheadMemoryMb;
    totals.vms++;
    totals.cpuMhz += spec.cpu.reservationMhz;
    if (spec.cpu.reservationMhz === 0) totals.vmsWithoutCpuReservation++;
    totals.memoryMb += memory;
    totals.largestCpuMhz = Math.max(totals.largestCpuMhz, spec.cpu.reservationMhz);
    totals.largestMemoryMb = Math.max(totals.largestMemoryMb, memory);
  }
  return totals;
}

function clusterInput(options: PlanOptions, spares: string[]): ClusterSpecInput {
  const n = options.haFailures;
  if (n === 0) return {};
  return {
    ha: {
      enabled: true,
      admissionControl: {
        policy: options.haPolicy,
        hostFailuresToTolerate: n,
        ...(options.haPolicy === "failoverHosts" ? { failoverHosts: spares } : {}),
      },
    },
  };
}

export function planConsolidation(servers: readonly Server[], options: PlanOptions): Plan {
  const clusterName = options.clusterName ?? "consolidated";
  const prefix = options.hostPrefix ?? "host";
  const hostSpec = hostSpecOf(options.host, clusterName);
  const capacity = hostCapacity(hostSpec);
  const usable = {
    cpu: Math.floor((capacity.cpuMhz * (100 - options.headroomPercent)) / 100),
    memory: Math.floor((capacity.memoryMb * (100 - options.headroomPercent)) / 100),
  };
  const ordered = [...servers].sort((a, b) => compareNames(a.name, b.name));
  const sized = ordered.map((s) => sizeServer(s, hostSpec, clusterName, options));
  const slots = sized[0]?.cpuBySlot.length ?? 1;
  const binCapacity = Array.from({ length: slots }, () => [usable.cpu, usable.memory]).flat();
  for (const s of sized) {
    const over = s.size.findIndex((v, d) => v > binCapacity[d]);
    if (over >= 0) {
      const dim = over % 2 === 0 ? `${s.size[over]} MHz CPU` : `${s.size[over]} MB memory`;
      refuse(
        "InsufficientCapacity",
        { kind: "Server", name: s.server.name },
        `needs ${dim} (overhead included), more than a host offers after ${options.headroomPercent}% headroom (${usable.cpu} MHz, ${usable.memory} MB)`,
      );
    }
  }
  const items: PackItem[] = sized.map((s) => ({ name: s.server.name, size: s.size }));
  const packed = pack(items, binCapacity);
  const bins = packed.bins.map((b) => [...b].sort((x, y) => compareNames(items[x].name, items[y].name)));

  // Reservations: each VM's demand at its host's peak slot, so a host's reservations fit it.
  const peakSlot = bins.map((b) => {
    let best = 0;
    let bestLoad = -1;
    for (let t = 0; t < slots; t++) {
      const load = b.reduce((sum, i) => sum + sized[i].size[2 * t] / usable.cpu + sized[i].size[2 * t + 1] / usable.memory, 0);
      if (load > bestLoad + 1e-12) [best, bestLoad] = [t, load];
    }
    return best;
  });
  const planned = bins.flatMap((b, h) =>
    b.map((i) => {
      const s = sized[i];
      const t = peakSlot[h];
      const input = vmInput(
        s.server,
        clusterName,
        s.spec.vcpus,
        s.spec.memoryMb,
        s.cpuBySlot[t],
        s.memoryBySlot[t],
        s.spec.workload?.cpuDemandMhz ?? 0,
      );
      return { sized: s, bin: h, input, spec: VmSpec.parse(input) };
    }),
  );

  // Spare hosts for failover: N, plus as many as the policy's arithmetic asks (its percentages round up).
  const demand = demandOf(planned.map((p) => ({ spec: p.spec, overheadMemoryMb: p.sized.overheadMemoryMb })));
  let total = bins.length + options.haFailures;
  let names: string[] = [];
  let spares: string[] = [];
  for (;;) {
    names = Array.from({ length: total }, (_, i) => hostName(prefix, i, total));
    spares = names.slice(bins.length);
    const clusterSpec = ClusterSpec.parse(clusterInput(options, spares));
    const hosts = names
      .filter((n) => !(options.haPolicy === "failoverHosts" && spares.includes(n)))
      .map((name) => ({ name, cpuMhz: capacity.cpuMhz, memoryMb: capacity.memoryMb }));
    const figures = haFigures(clusterSpec, hosts, demand);
    if (policyViolation(clusterSpec, figures, hosts, demand).length === 0) break;
    if (total >= bins.length + options.haFailures + MAX_EXTRA_HOSTS) {
      refuse(
        "AdmissionControl",
        { kind: "Cluster", name: clusterName },
        `no number of hosts up to ${total} meets the ${options.haPolicy} policy for ${options.haFailures} host failure(s)`,
      );
    }
    total++;
  }

  const placements: Placement[] = planned
    .map((p) => ({
      server: p.sized.server.name,
      host: names[p.bin],
      vcpus: p.spec.vcpus,
      memoryMb: p.spec.memoryMb,
      cpuMhz: p.spec.workload?.cpuDemandMhz ?? 0,
    }))
    .sort((a, b) => compareNames(a.server, b.server));
  const hostUsage: HostUsage[] = names.map((host, h) => {
    const b = bins[h] ?? [];
    const t = peakSlot[h] ?? 0;
    return {
      host,
      cpuMhz: b.reduce((sum, i) => sum + sized[i].size[2 * t], 0),
      memoryMb: b.reduce((sum, i) => sum + sized[i].size[2 * t + 1], 0),
      cpuCapacityMhz: capacity.cpuMhz,
      memoryCapacityMb: capacity.memoryMb,
      vms: b.length,
    };
  });
  return {
    hosts: total,
    lowerBound: packed.lowerBound + options.haFailures,
    placements,
    hostUsage,
    spareHosts: spares,
    heuristic: packed.heuristic,
    optimal: packed.optimal,
    byHeuristic: packed.byHeuristic,
    cluster: { name: clusterName, spec: clusterInput(options, spares) },
    hostSpecs: names.map((name) => ({ name, spec: hostInput(options.host, clusterName) })),
    vmSpecs: planned
      .map((p) => ({
        name: p.sized.server.name,
        spec: { ...p.input, host: names[p.bin] },
        server: p.sized.server,
        ...(p.sized.server.image ? { image: p.sized.server.image } : {}),
      }))
      .sort((a, b) => compareNames(a.name, b.name)),
  };
}
