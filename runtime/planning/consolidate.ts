/**
 * Consolidation planning: how few hosts carry a set of physical servers as VMs, and survive N host
 * failures under an HA admission-control policy. The hosts are identical ones of a model, or existing
 * hosts of any size (used first), then hosts of the model if one is given. Each server is sized as a
 * VM from its utilization and judged on every host by the runtime's own rules (hypervisor profiles,
 * compatibility, overhead, HA admission arithmetic); the packing is packing.ts. Pure and
 * deterministic: the same inventory and options give the same plan.
 * Glossary: HA = high availability, P2V = physical to virtual.
 */
import { ClusterSpec, type ClusterSpecInput } from "../../schema/cluster";
import { type HostSpecInput, hypervisorVersionOf } from "../../schema/host";
import { VmSpec, type VmSpecInput } from "../../schema/virtual-machine";
import { hostCpuMhz } from "../core/allocation/vm-claims";
import { resolveVirtualization } from "../core/guests/guest-compatibility";
import { refuse } from "../core/kernel/errors";
import { haFigures, policyViolation } from "../core/ha/admission-control";
import type { DemandTotals } from "../core/ha/demand";
import { compareNames } from "../core/kernel/model";
import { guestCost } from "../core/guests/vm-footprint";
import type { ExistingHost } from "./hosts-file";
import { type Sample, type Server, percentile } from "./inventory";
import type { BinSupply, PackItem } from "./bin-supply";
import { type PackResult, pack } from "./packing";
import { type HostModel, HostPool, type PlanHost, hostInput, newHostNames, planHost } from "./plan-hosts";

export type { HostModel };
export type HaPolicy = "resourcePercentage" | "slotPolicy" | "failoverHosts";

export interface PlanOptions {
  /** The model of the hosts the plan adds, as many as needed; without `hosts`, every host is one. */
  host?: HostModel;
  /** Existing hosts, used before any host of the model is added. */
  hosts?: readonly ExistingHost[];
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
  /** Servers no host could take: only when existing hosts are all there is. */
  unplaced: string[];
  /** Existing hosts the plan does not need: neither loaded nor spare. */
  unusedHosts: string[];
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

/** What one server needs on any host of the plan, per dimension (CPU then memory, per time slot). */
interface SizedServer {
  server: Server;
  spec: VmSpec;
  size: number[];
  /** Reservations per time slot (one slot without samples): CPU MHz, memory MB. */
  cpuBySlot: number[];
  memoryBySlot: number[];
  overheadMemoryMb: number;
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

/** Where a server could not run, for the refusal. */
function hostLabel(host: PlanHost): string {
  const what = `${host.spec.hypervisor} ${hypervisorVersionOf(host.spec)}`;
  return host.name === undefined ? `the planned ${what} hosts` : `host ${host.name} (${what})`;
}

/**
 * The server as a VM: sized from its utilization, with as many vCPUs as the slowest host's cores
 * need to deliver its peak, and checked by the runtime's compatibility rules on every host, since HA
 * and DRS may move it to any of them. Its size is the most any host needs (overhead differs by
 * hypervisor and technique).
 */
function sizeServer(server: Server, hosts: readonly PlanHost[], slowestMhz: number, cluster: string, options: PlanOptions): SizedServer {
  const slots = utilizationSlots(server, options);
  const cpuBySlot = slots.map((u) => Math.ceil((server.cores * server.mhz * u.cpuPercent) / 100));
  const memoryBySlot = slots.map((u) => Math.max(4, Math.ceil((server.memoryMb * u.memoryPercent) / 100)));
  const peakCpu = Math.max(...cpuBySlot);
  const peakMemory = Math.max(...memoryBySlot);
  const vcpus = Math.min(server.cores, Math.max(1, Math.ceil(peakCpu / slowestMhz)));
  const spec = VmSpec.parse(vmInput(server, cluster, vcpus, peakMemory, cpuBySlot[0], memoryBySlot[0], peakCpu));
  const size = new Array<number>(2 * slots.length).fill(0);
  let overheadMemoryMb = 0;
  for (const host of hosts) {
    const verdict = resolveVirtualization(host.spec, spec);
    if (!verdict.ok) {
      refuse(
        "Incompatible",
        { kind: "Server", name: server.name },
        `cannot run as a VM on ${hostLabel(host)}`,
        verdict.obstacles.map((o) => o.text),
      );
    }
    const cost = guestCost(spec, verdict.resolution);
    overheadMemoryMb = Math.max(overheadMemoryMb, cost.overheadMemoryMb);
    slots.forEach((_, t) => {
      size[2 * t] = Math.max(size[2 * t], Math.ceil(hostCpuMhz(cpuBySlot[t], cost.overheadCpuPercent)));
      size[2 * t + 1] = Math.max(size[2 * t + 1], Math.ceil(memoryBySlot[t] + cost.overheadMemoryMb));
    });
  }
  return { server, spec, size, cpuBySlot, memoryBySlot, overheadMemoryMb };
}

/** Hosts that differ only in name size servers alike: one of each is enough to judge. */
function distinctHosts(hosts: readonly PlanHost[]): PlanHost[] {
  const seen = new Map<string, PlanHost>();
  for (const h of hosts) {
    const key = JSON.stringify(h.model);
    if (!seen.has(key)) seen.set(key, h);
  }
  return [...seen.values()];
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

/** The elementwise smallest usable capacity of `hosts`: what any of them can take. */
function smallestUsable(hosts: readonly PlanHost[]): [number, number] {
  return [Math.min(...hosts.map((h) => h.usable[0])), Math.min(...hosts.map((h) => h.usable[1]))];
}

/** A packing around a choice of spare hosts. */
interface Packed {
  spares: PlanHost[];
  packed: PackResult;
  /** The host of each bin. */
  loaded: PlanHost[];
}

/**
 * Which hosts to keep empty as spares: the N largest (a new host of the model if it is larger than
 * any existing one), and, when that adds hosts, the N largest existing ones too; the plan keeps the
 * better packing.
 */
function spareChoices(existing: readonly PlanHost[], model: PlanHost | undefined, n: number, cluster: string): PlanHost[][] {
  const take = (pool: HostPool) =>
    Array.from({ length: n }, () => {
      const h = pool.take();
      if (h) pool.remove([h]);
      return h;
    });
  const largest = take(new HostPool(existing, model));
  if (largest.some((h) => h === undefined)) {
    refuse(
      "AdmissionControl",
      { kind: "Cluster", name: cluster },
      `${n} host failure(s) need ${n} empty spare host(s) and hosts to load; there are ${existing.length} hosts and no host model to add`,
    );
  }
  const choices = [largest as PlanHost[]];
  if (model && largest.includes(model) && existing.length >= n) choices.push(take(new HostPool(existing, undefined)) as PlanHost[]);
  return choices;
}

/**
 * Packs the servers onto the hosts other than `spares`, each loaded no further than what the
 * smallest spare can take, so whichever N hosts fail, the loaded ones among them move whole onto
 * surviving spares. A server no host can take is returned, with the largest room there is.
 */
function packAround(
  spares: PlanHost[],
  existing: readonly PlanHost[],
  model: PlanHost | undefined,
  items: readonly PackItem[],
  slots: number,
  cluster: string,
): Packed | { tooLarge: { item: number; largest: number[] } } {
  const reserve = spares.length > 0 ? smallestUsable(spares) : [Infinity, Infinity];
  const binOf = (h: PlanHost) =>
    Array.from({ length: slots }, () => [Math.min(h.usable[0], reserve[0]), Math.min(h.usable[1], reserve[1])]).flat();
  const fixed = existing.filter((h) => !spares.includes(h));
  if (fixed.length === 0 && !model) {
    refuse(
      "AdmissionControl",
      { kind: "Cluster", name: cluster },
      `every one of the ${existing.length} hosts is a spare for ${spares.length} host failure(s); none is left to load`,
    );
  }
  const largest = (model ? [...fixed, model] : fixed).map(binOf).reduce((a, b) => a.map((v, d) => Math.max(v, b[d])));
  const item = items.findIndex((it) => it.size.some((v, d) => v > largest[d]));
  if (item >= 0) return { tooLarge: { item, largest } };
  const supply: BinSupply = { fixed: fixed.map(binOf), ...(model ? { extra: binOf(model) } : {}) };
  const packed = pack(items, supply);
  return { spares, packed, loaded: packed.slots.map((slot) => (slot < fixed.length ? fixed[slot] : model!)) };
}

/** Servers left out first, then hosts added, then hosts in all, as one comparable number. */
function costOf(p: Packed): number {
  const hosts = [...p.loaded, ...p.spares];
  const added = hosts.filter((h) => h.name === undefined).length;
  return (p.packed.unplaced.length * 1e6 + added) * 1e6 + hosts.length;
}

export function planConsolidation(servers: readonly Server[], options: PlanOptions): Plan {
  const clusterName = options.clusterName ?? "consolidated";
  const prefix = options.hostPrefix ?? "host";
  const existing = [...(options.hosts ?? [])]
    .sort((a, b) => compareNames(a.name, b.name))
    .map((h) => planHost(h, h.name, clusterName, options.headroomPercent));
  const model = options.host && planHost(options.host, undefined, clusterName, options.headroomPercent);
  const all = model ? [...existing, model] : existing;
  if (all.length === 0) throw new Error("internal: a plan needs a host model or existing hosts");
  const judged = distinctHosts(all);
  const slowestMhz = Math.min(...all.map((h) => h.spec.cpu.mhz));
  const ordered = [...servers].sort((a, b) => compareNames(a.name, b.name));
  const sized = ordered.map((s) => sizeServer(s, judged, slowestMhz, clusterName, options));
  const slots = sized[0]?.cpuBySlot.length ?? 1;
  const n = options.haFailures;

  const items: PackItem[] = sized.map((s) => ({ name: s.server.name, size: s.size }));
  const choices = spareChoices(existing, model, n, clusterName);
  const tries = choices.map((spares) => packAround(spares, existing, model, items, slots, clusterName));
  const fitting = tries.filter((t): t is Packed => !("tooLarge" in t));
  if (fitting.length === 0) {
    const { tooLarge } = tries[0] as { tooLarge: { item: number; largest: number[] } };
    const s = sized[tooLarge.item];
    const over = s.size.findIndex((v, d) => v > tooLarge.largest[d]);
    const dim = over % 2 === 0 ? `${s.size[over]} MHz CPU` : `${s.size[over]} MB memory`;
    const reserved = n > 0 ? ` and the failover reserve` : "";
    refuse(
      "InsufficientCapacity",
      { kind: "Server", name: s.server.name },
      `needs ${dim} (overhead included), more than a host offers after ${options.headroomPercent}% headroom${reserved} (${tooLarge.largest[0]} MHz, ${tooLarge.largest[1]} MB)`,
    );
  }
  const { spares, packed, loaded } = fitting.reduce((a, b) => (costOf(b) < costOf(a) ? b : a));
  const bins = packed.bins.map((b) => [...b].sort((x, y) => compareNames(items[x].name, items[y].name)));
  const pool = new HostPool(existing, model);
  pool.remove([...spares, ...loaded]);

  // Reservations: each VM's demand at its host's peak slot, so a host's reservations fit it.
  const peakSlot = bins.map((b, h) => {
    const [cpu, memory] = loaded[h].usable;
    let best = 0;
    let bestLoad = -1;
    for (let t = 0; t < slots; t++) {
      const load = b.reduce((sum, i) => sum + sized[i].size[2 * t] / cpu + sized[i].size[2 * t + 1] / memory, 0);
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

  // More spares while the policy's arithmetic asks for them (its percentages round up), largest first.
  const demand = demandOf(planned.map((p) => ({ spec: p.spec, overheadMemoryMb: p.sized.overheadMemoryMb })));
  const taken = new Set(existing.map((h) => h.name!));
  let names: string[] = [];
  for (;;) {
    const hosts = [...loaded, ...spares];
    const added = newHostNames(prefix, hosts.filter((h) => h.name === undefined).length, taken);
    names = hosts.map((h) => h.name ?? added.shift()!);
    const spareNames = names.slice(loaded.length);
    const clusterSpec = ClusterSpec.parse(clusterInput(options, spareNames));
    const counted = hosts
      .map((h, k) => ({ name: names[k], cpuMhz: h.capacity.cpuMhz, memoryMb: h.capacity.memoryMb }))
      .filter((_, k) => !(options.haPolicy === "failoverHosts" && k >= loaded.length));
    if (policyViolation(clusterSpec, haFigures(clusterSpec, counted, demand), counted, demand).length === 0) break;
    const next = spares.length < n + MAX_EXTRA_HOSTS ? pool.take() : undefined;
    if (!next) {
      refuse(
        "AdmissionControl",
        { kind: "Cluster", name: clusterName },
        `no number of hosts up to ${hosts.length} meets the ${options.haPolicy} policy for ${n} host failure(s)`,
      );
    }
    spares.push(next);
    pool.remove([next]);
  }
  const hosts = [...loaded, ...spares];
  const spareNames = names.slice(loaded.length);

  const placements: Placement[] = planned
    .map((p) => ({
      server: p.sized.server.name,
      host: names[p.bin],
      vcpus: p.spec.vcpus,
      memoryMb: p.spec.memoryMb,
      cpuMhz: p.spec.workload?.cpuDemandMhz ?? 0,
    }))
    .sort((a, b) => compareNames(a.server, b.server));
  const hostUsage: HostUsage[] = hosts.map((host, h) => {
    const b = bins[h] ?? [];
    const t = peakSlot[h] ?? 0;
    return {
      host: names[h],
      cpuMhz: b.reduce((sum, i) => sum + sized[i].size[2 * t], 0),
      memoryMb: b.reduce((sum, i) => sum + sized[i].size[2 * t + 1], 0),
      cpuCapacityMhz: host.capacity.cpuMhz,
      memoryCapacityMb: host.capacity.memoryMb,
      vms: b.length,
    };
  });
  const used = new Set(hosts);
  return {
    hosts: hosts.length,
    lowerBound: packed.lowerBound + n,
    placements,
    hostUsage,
    spareHosts: spareNames,
    unplaced: packed.unplaced.map((i) => items[i].name).sort(compareNames),
    unusedHosts: existing.filter((h) => !used.has(h)).map((h) => h.name!),
    heuristic: packed.heuristic,
    optimal: packed.optimal,
    byHeuristic: packed.byHeuristic,
    cluster: { name: clusterName, spec: clusterInput(options, spareNames) },
    hostSpecs: hosts.map((h, k) => ({ name: names[k], spec: hostInput(h.model, clusterName) })),
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
