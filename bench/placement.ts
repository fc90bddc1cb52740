/**
 * Initial placement throughput: 10,000 VMs onto 96 hosts with the runtime's placement profile,
 * against a naive baseline in the same run that recomputes every host's load from the list of
 * placed VMs for each decision (what placement costs without incrementally kept host totals).
 */
import { VmSpec } from "../schema/virtual-machine";
import type { HostRecord } from "../runtime/core/kernel/model";
import { place, placementRequest } from "../runtime/core/placement/framework";
import { NO_RULES } from "../runtime/core/rules/constraints";
import { DEFAULT_PROFILE } from "../runtime/core/placement/profile";
import { projectedLoad } from "../runtime/core/placement/plugins/balance";
import { type Footprint, footprintOf, guestCostOnHost } from "../runtime/core/guests/vm-footprint";
import { hostWithFootprint } from "../runtime/core/allocation/accounting";
import { SeededRandom } from "../runtime/core/kernel/random";
import { benchHost } from "./hosts";
import { benchVmSpec } from "./inventory";
import { fmt, header, nowUs } from "./stats";

const HOSTS = 96;
const VMS = 10_000;

function makeHosts(): HostRecord[] {
  return Array.from({ length: HOSTS }, (_, i) =>
    benchHost(`esx${String(i).padStart(3, "0")}`, "bench", i % 3 === 0 ? 16 : 12, i % 4 === 0 ? 524288 : 262144),
  );
}

function makeVms(): VmSpec[] {
  const random = new SeededRandom(42);
  return Array.from({ length: VMS }, () => VmSpec.parse(benchVmSpec(random)));
}

/** The VM's footprint on the host placement chose, with that host's overhead (as the runtime charges it). */
function footprintOn(spec: VmSpec, host: HostRecord): Footprint {
  return footprintOf(spec, host.name, "bench", guestCostOnHost(spec, host.spec)!);
}

/** The runtime's way: host totals kept up to date as VMs are placed. */
function runIncremental(vms: VmSpec[]): { seconds: number; hosts: HostRecord[] } {
  const hosts = makeHosts();
  const index = new Map(hosts.map((h, i) => [h.name, i]));
  const start = nowUs();
  vms.forEach((spec, n) => {
    const result = place(DEFAULT_PROFILE, placementRequest(`vm${n}`, spec, "powerOn", spec.workload?.cpuDemandMhz ?? 0, NO_RULES), hosts);
    if (!result.placed) throw new Error(`vm${n} not placed`);
    const i = index.get(result.host)!;
    hosts[i] = hostWithFootprint(hosts[i], footprintOn(spec, hosts[i]), 1);
  });
  return { seconds: (nowUs() - start) / 1e6, hosts };
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
  const runs = [runIncremental(vms), runIncremental(vms), runIncremental(vms)];
  const best = runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));
  const naiveVms = vms.slice(0, 2000);
  const naive = runNaive(naiveVms);
  const rate = VMS / best.seconds;
  const naiveRate = naiveVms.length / naive.seconds;
  console.log(`placements/s (runtime profile, best of 3): ${fmt(rate, 0)}  (goal >= 100,000)`);
  console.log(`placements/s (naive rescan baseline, first 2,000 VMs): ${fmt(naiveRate, 0)}`);
  console.log(`speed-up over baseline: ${fmt(rate / naiveRate, 1)}x`);
  console.log(`host load spread after placement (std. dev. of the balance load): ${fmt(loadSpread(best.hosts), 4)}`);
  return { placementsPerSecond: rate, naivePlacementsPerSecond: naiveRate };
}
