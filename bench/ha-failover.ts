/**
 * HA failover planning at scale: 10,000 VMs on 96 hosts in one HA cluster. One host (about 104 VMs),
 * then 10% of the hosts (about 1,040 VMs) crash; the figure is the time of the restart wave that
 * runs when HA declares the failure: placing every VM through the placement profile, admission,
 * accounting and events, in one operation (not committed, so each run starts from the same world).
 * Baseline in the same run: the same decisions with host totals recomputed from the whole VM list
 * for every restart (what planning costs without incrementally kept totals).
 * The end of the step (settle.ts) then divides the usage of every host a restart landed on; it is
 * timed apart, since it is statistics rather than the plan, and grows with the VMs on those hosts.
 * `buildWorld` is shared with the what-if benchmark (planning.ts).
 */
import { execute } from "../runtime/core/commands";
import { failHost } from "../runtime/core/host-lifecycle";
import { hostWithFootprint } from "../runtime/core/allocation/accounting";
import type { HostRecord, VmRecord } from "../runtime/core/kernel/model";
import type { World } from "../runtime/core/kernel/model";
import { createWorld } from "../runtime/core/world-setup";
import { place, placementRequest } from "../runtime/core/placement/framework";
import { DEFAULT_PROFILE } from "../runtime/core/placement/profile";
import { NO_RULES } from "../runtime/core/rules/constraints";
import { SeededRandom } from "../runtime/core/kernel/random";
import { settle } from "../runtime/core/settle";
import { RUNTIME_TIMELINE } from "../runtime/core/timer-handlers";
import { advance } from "../runtime/core/kernel/timeline";
import { Txn } from "../runtime/core/kernel/txn";
import { haDemandOf } from "../runtime/core/ha/demand";
import { NO_GUEST_LOAD } from "../runtime/core/kinds/host";
import { footprintOf, recordedCost } from "../runtime/core/guests/vm-footprint";
import { benchVmSpec } from "./inventory";
import { buildWorld as buildSpreadWorld, hostName as spreadHostName } from "./drs-world";
import { fmt, header, nowUs, percentile } from "./stats";

const HOSTS = 96;
const VMS = 10_000;
const hostName = (i: number) => `esx${String(i).padStart(3, "0")}`;

export function buildWorld(hosts = HOSTS, vms = VMS): World {
  const world = createWorld({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 });
  const apply = (kind: string, name: string, spec: object) =>
    world.applyChanges(execute(world, { type: "apply", kind, name, spec, mode: "upsert" }).changes);
  apply("Cluster", "bench", { ha: { enabled: true, admissionControl: { policy: "slotPolicy", hostFailuresToTolerate: 1 } } });
  for (let i = 0; i < hosts; i++) {
    apply("Host", hostName(i), {
      cluster: "bench",
      hypervisor: "esx",
      cpu: { sockets: 2, coresPerSocket: i % 3 === 0 ? 16 : 12, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
      memoryMb: i % 4 === 0 ? 524288 : 262144,
    });
  }
  const random = new SeededRandom(42);
  for (let n = 0; n < vms; n++) apply("VirtualMachine", `vm${n}`, benchVmSpec(random));
  return world;
}

interface Outcome {
  us: number;
  /** Dividing the usage of the hosts the wave touched, at the end of its step. */
  usageUs?: number;
  placements: Map<string, string>;
  pending: number;
}

/** The runtime: crash the hosts, then time the wave HA runs at the declaration, and its step's usage division apart. */
function runtimeFailover(world: World, failed: string[]): Outcome {
  const txn = new Txn(world);
  for (const h of failed) failHost(txn, h, "crash");
  settle(txn);
  // The wave's step hands its touched hosts to settle(); held back here, they are settled below on their own clock.
  const touched: string[] = [];
  const take = txn.takeUnsettled.bind(txn);
  txn.takeUnsettled = () => (touched.push(...take()), []);
  const start = nowUs();
  advance(txn, 15, RUNTIME_TIMELINE);
  const us = nowUs() - start;
  txn.takeUnsettled = take;
  for (const h of touched) txn.markUnsettled(h);
  const usageStart = nowUs();
  settle(txn);
  const usageUs = nowUs() - usageStart;
  const placements = new Map<string, string>();
  let pending = 0;
  for (const e of txn.events) {
    if (e.reason === "HaRestarted") placements.set(e.name, txn.get<VmRecord>("VirtualMachine", e.name)!.status.currentHost!);
    if (e.reason === "HaRestartPending") pending++;
  }
  return { us, usageUs, placements, pending };
}

/** Baseline: same order and profile, every host's totals rebuilt from all VMs for each restart. */
function naiveFailover(world: World, failed: string[]): Outcome {
  const down = new Set(failed);
  const all = world.list("VirtualMachine") as VmRecord[];
  const where = new Map(all.filter((v) => v.status.currentHost !== null).map((v) => [v.name, v.status.currentHost!]));
  const victims = all.filter((v) => down.has(v.status.currentHost ?? ""));
  for (const v of victims) where.delete(v.name);
  const order = [...victims].sort((a, b) => {
    const da = haDemandOf(a)!;
    const db = haDemandOf(b)!;
    return db.memoryMb - da.memoryMb || db.cpuMhz - da.cpuMhz || (a.name < b.name ? -1 : 1);
  });
  const base = (world.list("Host") as HostRecord[]).map((h) => ({
    ...h,
    status: {
      ...h.status,
      state: down.has(h.name) ? ("failed" as const) : h.status.state,
      ...NO_GUEST_LOAD,
    },
  }));
  const start = nowUs();
  const placements = new Map<string, string>();
  let pending = 0;
  for (const vm of order) {
    const byHost = new Map(base.map((h) => [h.name, h as HostRecord]));
    for (const other of all) {
      const at = where.get(other.name);
      // Every host runs the same hypervisor release, so a VM's overhead is the same wherever it runs.
      if (at !== undefined)
        byHost.set(at, hostWithFootprint(byHost.get(at)!, footprintOf(other.spec, at, "bench", recordedCost(other.status)), 1));
    }
    const result = place(DEFAULT_PROFILE, placementRequest(vm.name, vm.spec, "restart", vm.spec.workload?.cpuDemandMhz ?? 0, NO_RULES), [
      ...byHost.values(),
    ]);
    if (!result.placed) {
      pending++;
      continue;
    }
    where.set(vm.name, result.host);
    placements.set(vm.name, result.host);
  }
  return { us: nowUs() - start, placements, pending };
}

function sameDecisions(a: Outcome, b: Outcome): boolean {
  return (
    a.pending === b.pending &&
    a.placements.size === b.placements.size &&
    [...a.placements].every(([vm, host]) => b.placements.get(vm) === host)
  );
}

/** Goal 10: the whole failover step, failure declared to every restart placed and accounted. */
const STEP_GOAL_MS = { oneHost: 10, tenPercent: 50, s2: 500 };

function scenario(world: World, label: string, failed: string[], goalMs: number, runs: number): Record<string, number> {
  runtimeFailover(world, failed); // warm-up
  const samples = Array.from({ length: runs }, () => runtimeFailover(world, failed));
  const times = samples.map((s) => s.us / 1000);
  const best = Math.min(...times);
  const usage = samples.map((s) => s.usageUs! / 1000);
  const naive = naiveFailover(world, failed);
  const ours = samples[0];
  console.log(`${label}: ${ours.placements.size} VMs restarted, ${ours.pending} pending`);
  printStep(times, usage, goalMs);
  console.log(
    `  naive rescan baseline: ${fmt(naive.us / 1000, 1)} ms  (speed-up ${fmt(naive.us / 1000 / best, 1)}x); same decisions: ${sameDecisions(ours, naive) ? "yes" : "NO"}`,
  );
  return { bestMs: best, usageMs: Math.min(...usage), naiveMs: naive.us / 1000 };
}

function printStep(waveMs: number[], usageMs: number[], goalMs: number): void {
  const stepMs = waveMs.map((w, i) => w + usageMs[i]);
  console.log(
    `  runtime wave: best ${fmt(Math.min(...waveMs), 2)} ms, median ${fmt(percentile(waveMs, 50), 2)} ms of ${waveMs.length} runs`,
  );
  console.log(
    `  usage division of the hosts it touched, at the end of the step: best ${fmt(Math.min(...usageMs), 2)} ms, median ${fmt(percentile(usageMs, 50), 2)} ms`,
  );
  console.log(`  whole step (not persisted): best ${fmt(Math.min(...stepMs), 2)} ms  (goal < ${goalMs} ms)`);
}

/**
 * S2: 2,500 hosts and 40,000 VMs spread over them (built record by record, as the DRS bench does: the
 * runtime's applies would take minutes), 250 hosts (10%) failing at once. No naive baseline here: it
 * would rebuild every host's totals from 40,000 VMs for each of about 4,000 restarts.
 */
function scenarioS2(runs: number): Record<string, number> {
  const hosts = 2_500;
  const world = buildSpreadWorld({
    hosts,
    vms: 40_000,
    seed: 7,
    skewed: false,
    ha: { enabled: true, admissionControl: { policy: "resourcePercentage", cpuPercent: 10, memoryPercent: 10 } },
  });
  const failed = Array.from({ length: hosts / 10 }, (_, i) => spreadHostName(i * 10 + 1));
  runtimeFailover(world, failed); // warm-up
  const samples = Array.from({ length: runs }, () => runtimeFailover(world, failed));
  console.log(`S2, 250 of 2,500 hosts fail at once: ${samples[0].placements.size} VMs restarted, ${samples[0].pending} pending`);
  const waves = samples.map((s) => s.us / 1000);
  const usage = samples.map((s) => s.usageUs! / 1000);
  printStep(waves, usage, STEP_GOAL_MS.s2);
  return { s2Ms: Math.min(...waves.map((w, i) => w + usage[i])) };
}

export function benchHaFailover(): Record<string, number> {
  header(`HA failover plan: ${VMS.toLocaleString("en-US")} VMs on ${HOSTS} hosts (in process)`);
  const started = nowUs();
  const world = buildWorld();
  console.log(`inventory built through the runtime in ${fmt((nowUs() - started) / 1e6, 1)} s`);
  const one = scenario(world, "1 host fails", [hostName(1)], STEP_GOAL_MS.oneHost, 20);
  const tenth = scenario(
    world,
    "10% of hosts (10) fail at once",
    Array.from({ length: 10 }, (_, i) => hostName(i * 9 + 1)),
    STEP_GOAL_MS.tenPercent,
    10,
  );
  header("HA failover at S2 (in process)");
  const s2 = scenarioS2(3);
  return {
    oneHostMs: one.bestMs,
    oneHostUsageMs: one.usageMs,
    oneHostNaiveMs: one.naiveMs,
    tenPercentMs: tenth.bestMs,
    tenPercentUsageMs: tenth.usageMs,
    tenPercentNaiveMs: tenth.naiveMs,
    ...s2,
  };
}
