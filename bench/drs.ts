/**
 * One DRS pass at 96 hosts / 10,000 VMs and 2,500 hosts / 40,000 VMs: the whole pass as the runtime
 * runs it (workload samples, entitlements over the pool tree, usage on every host, planning, live
 * migrations, statuses), and its planning step against the exhaustive greedy baseline in the same
 * run (every VM of every host against every host at each step), comparing time, moves and imbalance,
 * and planning without the host-pair bound (pruneHostPairs: false), which must give the same plan.
 * At 96 hosts also the pass with VM DRS scores on: balanceBy vmHappiness (the default: modelled scores
 * in the plan and the status) plus every VM's score and the cluster's buckets as `status` shows them,
 * against the same pass with balanceBy imbalance in the same process.
 */
import { BREADTH, type BalanceSettings } from "../runtime/core/drs/planned-move";
import { planPass } from "../runtime/core/drs/plan";
import { balanceSettings, runDrsPass } from "../runtime/core/drs/pass";
import { ClusterSnapshot } from "../runtime/core/drs/snapshot";
import type { ClusterRecord, World } from "../runtime/core/kernel/model";
import { Txn } from "../runtime/core/kernel/txn";
import { scoreBuckets, vmDrsScore } from "../runtime/core/drs/vm-score";
import type { VmRecord } from "../runtime/core/kernel/model";
import { vmUsage } from "../runtime/core/vms/vm-usage";
import { CLUSTER, DAY_STEP_SECONDS, DAY_TOLERANCE_PERCENT, buildWorld, dayWorld } from "./drs-world";
import { executeIn } from "../runtime/core/commands";
import { fmt, header, nowUs, percentile } from "./stats";

function best<T>(runs: number, work: () => T): { ms: number; result: T } {
  let bestMs = Infinity;
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const start = nowUs();
    result = work();
    const ms = (nowUs() - start) / 1000;
    if (ms < bestMs) bestMs = ms;
  }
  return { ms: bestMs, result };
}

/** Two workloads measured in turn, run by run, so that neither gains from running after the other. */
function inTurn<A, B>(runs: number, first: () => A, second: () => B): [{ ms: number; result: A }, { ms: number; result: B }] {
  const a = { ms: Infinity, result: undefined as A };
  const b = { ms: Infinity, result: undefined as B };
  for (let i = 0; i < runs; i++) {
    const x = best(1, first);
    const y = best(1, second);
    if (x.ms < a.ms) Object.assign(a, x);
    if (y.ms < b.ms) Object.assign(b, y);
  }
  return [a, b];
}

function plan(world: World, overrides: Partial<BalanceSettings> = {}) {
  const txn = new Txn(world);
  const settings: BalanceSettings = { ...balanceSettings(txn, txn.get<ClusterRecord>("Cluster", CLUSTER)!), ...overrides };
  return planPass(new ClusterSnapshot(txn, CLUSTER), settings);
}

const removed = (p: { imbalanceBefore: number; imbalanceAfter: number }) =>
  fmt((100 * (p.imbalanceBefore - p.imbalanceAfter)) / p.imbalanceBefore, 2);

/**
 * `baselineMoves`: the exhaustive baseline evaluates every VM against every host at each step, so at
 * the larger scale it plans fewer moves and both are compared per move, on the same first moves.
 */
function benchScale(hosts: number, vms: number, goalMs: number, runs: number, baselineMoves: number): Record<string, number> {
  header(`DRS pass: ${hosts.toLocaleString("en-US")} hosts, ${vms.toLocaleString("en-US")} VMs (in process; best of ${runs})`);
  const world = buildWorld({ hosts, vms, seed: 7 });
  const pass = best(runs, () => runDrsPass(new Txn(world), CLUSTER, { sampleWorkloads: true }));
  const [ours, unbounded] = inTurn(
    runs,
    () => plan(world),
    () => plan(world, { pruneHostPairs: false }),
  );
  const oursShort = best(runs, () => plan(world, { maxMovesPerPass: baselineMoves }));
  const exhaustive = best(1, () => plan(world, { breadth: Infinity, maxMovesPerPass: baselineMoves }));
  const o = ours.result;
  const x = exhaustive.result;
  console.log(
    `full pass (sample, entitle, usage, plan, migrate, status): ${fmt(pass.ms)} ms  (goal < ${goalMs} ms); ${pass.result.moves.length} moves, imbalance ${pass.result.imbalanceBefore} -> ${pass.result.imbalance}`,
  );
  console.log(
    `planning ${o.moves.length} moves, runtime greedy (${BREADTH} most loaded to ${BREADTH} least loaded hosts): ${fmt(ours.ms)} ms, imbalance ${o.imbalanceBefore.toFixed(4)} -> ${o.imbalanceAfter.toFixed(4)} (${removed(o)}% removed)`,
  );
  console.log(
    `planning without the host-pair bound (every pair searched): ${fmt(unbounded.ms)} ms, ${unbounded.result.moves.length} moves, same plan: ${JSON.stringify(unbounded.result) === JSON.stringify(o)}; bound ${fmt(unbounded.ms / ours.ms, 2)}x faster`,
  );
  console.log(
    `planning ${baselineMoves} moves: runtime ${fmt(oursShort.ms)} ms, ${removed(oursShort.result)}% removed; exhaustive greedy baseline ${fmt(exhaustive.ms)} ms, ${removed(x)}% removed`,
  );
  console.log(`speed-up over the exhaustive greedy: ${fmt(exhaustive.ms / oursShort.ms, 1)}x`);
  return { passMs: pass.ms, planMs: ours.ms, exhaustiveMs: exhaustive.ms };
}

/**
 * Planning once the cluster is balanced, where a pass searches every pair and finds nothing: the
 * unskewed world is balanced in its snapshot (threshold 5, up to 1,000 moves), then the pass is
 * planned again on that snapshot with and without the host-pair bound.
 */
function benchBalanced(runs: number): void {
  header(`DRS planning once balanced: 96 hosts, 10,000 VMs (in process; best of ${runs})`);
  const world = buildWorld({ hosts: 96, vms: 10_000, seed: 7, skewed: false });
  const txn = new Txn(world);
  const settings: BalanceSettings = { ...balanceSettings(txn, txn.get<ClusterRecord>("Cluster", CLUSTER)!), migrationThreshold: 5 };
  const snap = new ClusterSnapshot(txn, CLUSTER);
  const converged = best(1, () => planPass(snap, { ...settings, maxMovesPerPass: 1000 }));
  const [bounded, full] = inTurn(
    runs,
    () => planPass(snap, settings),
    () => planPass(snap, { ...settings, pruneHostPairs: false }),
  );
  console.log(
    `balancing to convergence: ${converged.result.moves.length} moves in ${fmt(converged.ms)} ms; ${converged.result.summary.slice(0, 90)}`,
  );
  console.log(
    `planning again: ${fmt(bounded.ms)} ms with the bound, ${fmt(full.ms)} ms searching every pair (${fmt(full.ms / bounded.ms, 1)}x); same plan: ${JSON.stringify(bounded.result) === JSON.stringify(full.result)}`,
  );
}

/** A pass and the scores of every VM after it, as `polyvisor status` and the console read them. */
function passWithScores(world: World) {
  const txn = new Txn(world);
  const drs = runDrsPass(txn, CLUSTER, { sampleWorkloads: true });
  const scores = txn.relatedObjects<VmRecord>("vmsInCluster", CLUSTER).flatMap((vm) => vmDrsScore(vm, vmUsage(txn, vm)) ?? []);
  return { drs, buckets: scoreBuckets(scores) };
}

function benchScores(hosts: number, vms: number, goalMs: number, runs: number): void {
  header(`DRS pass with VM DRS scores: ${hosts} hosts, ${vms.toLocaleString("en-US")} VMs (in process; best of ${runs})`);
  // Alternated, so that neither setting runs on a warmer process than the other.
  let happy = best(1, () => passWithScores(buildWorldOnce(hosts, vms, "vmHappiness")));
  let even = best(1, () => passWithScores(buildWorldOnce(hosts, vms, "imbalance")));
  for (let i = 1; i < runs; i++) {
    const h = best(1, () => passWithScores(buildWorldOnce(hosts, vms, "vmHappiness")));
    const e = best(1, () => passWithScores(buildWorldOnce(hosts, vms, "imbalance")));
    if (h.ms < happy.ms) happy = h;
    if (e.ms < even.ms) even = e;
  }
  const h = happy.result;
  console.log(
    `balanceBy vmHappiness, scores on: ${fmt(happy.ms)} ms (goal < ${goalMs} ms); ${h.drs.moves.length} moves, imbalance ${h.drs.imbalanceBefore} -> ${h.drs.imbalance}, modelled mean VM score ${h.drs.vmScoreBefore} -> ${h.drs.projectedVmScore}; buckets ${JSON.stringify(h.buckets)}`,
  );
  console.log(
    `baseline balanceBy imbalance with the same scores: ${fmt(even.ms)} ms; ${even.result.drs.moves.length} moves; ratio ${fmt(happy.ms / even.ms, 2)}`,
  );
}

/** The day's world after `warmSteps` five-minute steps committed in memory: balanced, its samples moved. */
function dayWorldAfter(hosts: number, vms: number, tolerancePercent: number, warmSteps: number): World {
  const world = dayWorld({ hosts, vms }, tolerancePercent);
  for (let i = 0; i < warmSteps; i++) {
    const txn = new Txn(world);
    executeIn(txn, { type: "advance", seconds: DAY_STEP_SECONDS });
    world.applyChanges(txn.changes());
  }
  return world;
}

/**
 * The next step's pass on the day's world (new samples, entitlements, usage, plan, moves), `runs`
 * times on the same state, each on an operation of its own that is not committed.
 */
function nextStepPass(world: World, runs: number) {
  const ms: number[] = [];
  let txn!: Txn;
  let drs!: ReturnType<typeof runDrsPass>;
  for (let i = 0; i < runs; i++) {
    txn = new Txn(world);
    txn.clockSeconds += DAY_STEP_SECONDS;
    const start = nowUs();
    drs = runDrsPass(txn, CLUSTER, { sampleWorkloads: true });
    ms.push((nowUs() - start) / 1000);
  }
  const written = txn.changes().puts.filter((o) => o.kind === "VirtualMachine").length;
  return { best: Math.min(...ms), median: percentile(ms, 50), drs, written };
}

/**
 * Goal 11 on the simulated day's steady state: the day's world (bench/simulated-day.ts, demand
 * tolerance 5%) after `warmSteps` steps, then the next step's pass; baseline in the same run, the same
 * with every sample kept exactly (tolerance 0), where the pass rewrites most VMs.
 */
function benchDaySteadyState(hosts: number, vms: number, goalMs: number, warmSteps: number, runs: number): void {
  header(
    `DRS pass on the simulated day's steady state: ${hosts.toLocaleString("en-US")} hosts, ${vms.toLocaleString("en-US")} VMs after ${warmSteps} steps of ${DAY_STEP_SECONDS} s (in process; best and median of ${runs})`,
  );
  const line = (label: string, p: ReturnType<typeof nextStepPass>, goal: string) =>
    console.log(
      `${label}: best ${fmt(p.best)} ms, median ${fmt(p.median)} ms${goal}; ${p.drs.moves.length} moves, imbalance ${p.drs.imbalanceBefore} -> ${p.drs.imbalance}; VMs written ${p.written.toLocaleString("en-US")}`,
    );
  line(
    `demand tolerance ${DAY_TOLERANCE_PERCENT}%`,
    nextStepPass(dayWorldAfter(hosts, vms, DAY_TOLERANCE_PERCENT, warmSteps), runs),
    ` (goal < ${goalMs} ms)`,
  );
  line("baseline, every sample kept exactly (tolerance 0)", nextStepPass(dayWorldAfter(hosts, vms, 0, warmSteps), runs), "");
}

const worlds = new Map<string, World>();
/** One world per setting, built once: a pass works on a Txn over it and never changes it. */
function buildWorldOnce(hosts: number, vms: number, balanceBy: "vmHappiness" | "imbalance"): World {
  const key = `${hosts}/${vms}/${balanceBy}`;
  let world = worlds.get(key);
  if (!world) worlds.set(key, (world = buildWorld({ hosts, vms, seed: 7, drs: { balanceBy } })));
  return world;
}

/** Goal 11: a full pass under 25 ms at S1 and under 250 ms at S2. */
const PASS_GOAL_MS = { s1: 25, s2: 250 };

/** The pass with scores on alone (`node dist/bench/run.js drs-scores`). */
export function benchDrsScores(): void {
  benchScores(96, 10_000, PASS_GOAL_MS.s1, 5);
}

export function benchDrs(): void {
  benchScale(96, 10_000, PASS_GOAL_MS.s1, 5, 16);
  benchDaySteadyState(96, 10_000, PASS_GOAL_MS.s1, 12, 5);
  benchBalanced(5);
  benchDrsScores();
  benchScale(2_500, 40_000, PASS_GOAL_MS.s2, 3, 2);
  benchDaySteadyState(2_500, 40_000, PASS_GOAL_MS.s2, 4, 3);
}
