/**
 * Initial placement throughput: 10,000 VMs onto 96 hosts (S1) and 40,000 VMs onto 2,500 hosts (S2)
 * with the runtime's placement profile through place() (a host table, host-table.ts), against the
 * plain walk that asks every plugin about every host (bench/placement-walk.ts) on the same VMs in the
 * same process (at S2 the first 2,000 VMs: the walk takes about a millisecond a decision there), each
 * run checked to choose the same hosts; and at S1 against a naive baseline that also recomputes every
 * host's load from the list of placed VMs for each decision (what placement costs without
 * incrementally kept host totals).
 */
import { VmSpec } from "../schema/virtual-machine";
import type { HostRecord } from "../runtime/core/kernel/model";
import {
  type PlacementProfile,
  type PlacementRequest,
  type PlacementResult,
  place,
  placementRequest,
} from "../runtime/core/placement/framework";
import { NO_RULES } from "../runtime/core/rules/constraints";
import { DEFAULT_PROFILE } from "../runtime/core/placement/profile";
import { projectedLoad } from "../runtime/core/placement/plugins/balance";
import { type Footprint, footprintOf, guestCostOnHost } from "../runtime/core/guests/vm-footprint";
import { hostWithFootprint } from "../runtime/core/allocation/accounting";
import { SeededRandom } from "../runtime/core/kernel/random";
import { benchHost } from "./hosts";
import { benchVmSpec } from "./inventory";
import { placeByWalk } from "./placement-walk";
import { fmt, header, nowUs } from "./stats";

type Placer = (profile: PlacementProfile, req: PlacementRequest, hosts: readonly HostRecord[]) => PlacementResult;

const HOSTS = 96;
const VMS = 10_000;

function makeHosts(count = HOSTS): HostRecord[] {
  return Array.from({ length: count }, (_, i) =>
    benchHost(`esx${String(i).padStart(3, "0")}`, "bench", i % 3 === 0 ? 16 : 12, i % 4 === 0 ? 524288 : 262144),
  );
}

function makeVms(count = VMS): VmSpec[] {
  const random = new SeededRandom(42);
  return Array.from({ length: count }, () => VmSpec.parse(benchVmSpec(random)));
}

/** The VM's footprint on the host placement chose, with that host's overhead (as the runtime charges it). */
function footprintOn(spec: VmSpec, host: HostRecord): Footprint {
  return footprintOf(spec, host.name, "bench", guestCostOnHost(spec, host.spec)!);
}

interface Run {
  rate: number;
  hosts: HostRecord[];
  /** The host each VM went to, in turn. */
  chosen: string[];
}

/** The runtime's way: host totals kept up to date as VMs are placed; the best of `runs` runs. */
function runIncremental(vms: VmSpec[], hostCount = HOSTS, runs = 1, placer: Placer = place): Run {
  let best: Run = { rate: 0, hosts: [], chosen: [] };
  for (let r = 0; r < runs; r++) {
    const hosts = makeHosts(hostCount);
    const at = new Map(hosts.map((h, i) => [h.name, i]));
    const chosen: string[] = [];
    const start = nowUs();
    vms.forEach((spec, n) => {
      const req = placementRequest(`vm${n}`, spec, "powerOn", spec.workload?.cpuDemandMhz ?? 0, NO_RULES);
      const result = placer(DEFAULT_PROFILE, req, hosts);
      if (!result.placed) throw new Error(`vm${n} not placed`);
      const i = at.get(result.host)!;
      hosts[i] = hostWithFootprint(hosts[i], footprintOn(spec, hosts[i]), 1);
      chosen.push(result.host);
    });
    const rate = vms.length / ((nowUs() - start) / 1e6);
    if (rate > best.rate) best = { rate, hosts, chosen };
  }
  return best;
}

/** Throws unless both runs sent the VMs they share to the same hosts. */
function sameChoices(a: Run, b: Run, label: string): void {
  const n = Math.min(a.chosen.length, b.chosen.length);
  for (let i = 0; i < n; i++)
    if (a.chosen[i] !== b.chosen[i]) throw new Error(`${label}: vm${i} went to ${a.chosen[i]} and ${b.chosen[i]}`);
}

/** Baseline: the same decisions, recomputing each host's totals from all placed VMs every time. */
function runNaive(vms: VmSpec[]): { seconds: number } {
  const base = makeHosts();
  const placed: { host: number; vm: string; f: Footprint }[] = [];
  const start = nowUs();
  vms.forEach((spec, n) => {
    const hosts = base.map((h, i) => placed.filter((p) => p.host === i).reduce((acc, p) => hostWithFootprint(acc, p.f, 1), h));
    const result = place(DEFAULT_PROFILE, placementRequest(`vm${n}`, spec, "powerOn", spec.workload?.cpuDemandMhz ?? 0, NO_RULES), hosts);
    if (!result.placed) throw new Error(`vm${n} not placed`);
    const host = hosts.findIndex((h) => h.name === result.host);
    placed.push({ host, vm: `vm${n}`, f: footprintOn(spec, hosts[host]) });
  });
  return { seconds: (nowUs() - start) / 1e6 };
}

function loadSpread(hosts: HostRecord[]): number {
  const loads = hosts.map((h) => projectedLoad(h, 0, 0, 0, 0));
  const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
  return Math.sqrt(loads.reduce((a, b) => a + (b - mean) ** 2, 0) / loads.length);
}

export function benchPlacement(): Record<string, number> {
  header(`Initial placement: ${VMS.toLocaleString("en-US")} VMs on ${HOSTS} hosts (in process)`);
  const vms = makeVms();
  runIncremental(vms.slice(0, 2000)); // warm-up
  runIncremental(vms.slice(0, 2000), HOSTS, 1, placeByWalk);
  const s1 = runIncremental(vms, HOSTS, 3);
  const s1Walk = runIncremental(vms, HOSTS, 3, placeByWalk);
  sameChoices(s1, s1Walk, "S1");
  const naiveVms = vms.slice(0, 2000);
  const naive = runNaive(naiveVms);
  const naiveRate = naiveVms.length / naive.seconds;
  console.log(`placements/s through place() (host table, best of 3): ${fmt(s1.rate, 0)}  (goal >= 100,000)`);
  console.log(`placements/s walking every host with every plugin (best of 3): ${fmt(s1Walk.rate, 0)}  (${fmt(s1.rate / s1Walk.rate, 1)}x)`);
  console.log(`placements/s (naive rescan baseline, first 2,000 VMs): ${fmt(naiveRate, 0)}  (${fmt(s1.rate / naiveRate, 1)}x)`);
  console.log(`host load spread after placement (std. dev. of the balance load): ${fmt(loadSpread(s1.hosts), 4)}`);
  header("Initial placement: 40,000 VMs on 2,500 hosts (in process)");
  const s2Vms = makeVms(40_000);
  const s2 = runIncremental(s2Vms, 2_500, 2);
  const s2First = runIncremental(s2Vms.slice(0, 2_000), 2_500, 2);
  const s2Walk = runIncremental(s2Vms.slice(0, 2_000), 2_500, 1, placeByWalk);
  sameChoices(s2, s2Walk, "S2");
  console.log(`placements/s through place() (host table, best of 2): ${fmt(s2.rate, 0)}  (goal >= 20,000)`);
  console.log(
    `first 2,000 VMs: ${fmt(s2First.rate, 0)}/s through place(), ${fmt(s2Walk.rate, 0)}/s walking every host (${fmt(s2First.rate / s2Walk.rate, 1)}x)`,
  );
  return {
    placementsPerSecond: s1.rate,
    walkPlacementsPerSecond: s1Walk.rate,
    naivePlacementsPerSecond: naiveRate,
    s2PlacementsPerSecond: s2.rate,
    s2FirstPlacementsPerSecond: s2First.rate,
    s2WalkPlacementsPerSecond: s2Walk.rate,
  };
}
