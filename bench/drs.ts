/**
 * One DRS pass at 96 hosts / 10,000 VMs and 2,500 hosts / 40,000 VMs: the whole pass as the runtime
 * runs it (workload samples, entitlements over the pool tree, usage on every host, planning, live
 * migrations, statuses), and its planning step against the exhaustive greedy baseline in the same
 * run (every VM of every host against every host at each step), comparing time, moves and imbalance.
 */
import { BREADTH, type BalanceSettings } from "../runtime/core/drs/moves";
import { planPass } from "../runtime/core/drs/plan";
import { balanceSettings, runDrsPass } from "../runtime/core/drs/pass";
import { ClusterSnapshot } from "../runtime/core/drs/snapshot";
import type { ClusterRecord, World } from "../runtime/core/model";
import { Txn } from "../runtime/core/txn";
import { CLUSTER, buildWorld } from "./drs-world";
import { fmt, header, nowUs } from "./stats";

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

function plan(world: World, breadth?: number) {
  const txn = new Txn(world);
  const settings: BalanceSettings = { ...balanceSettings(txn, txn.get<ClusterRecord>("Cluster", CLUSTER)!), ...(breadth === undefined ? {} : { breadth }) };
  return planPass(new ClusterSnapshot(txn, CLUSTER), settings);
}

function benchScale(hosts: number, vms: number, goalMs: number, runs: number, exhaustiveRuns: number): Record<string, number> {
  header(`DRS pass: ${hosts.toLocaleString("en-US")} hosts, ${vms.toLocaleString("en-US")} VMs (in process; best of ${runs})`);
  const world = buildWorld({ hosts, vms, seed: 7 });
  const pass = best(runs, () => runDrsPass(new Txn(world), CLUSTER, { sampleWorkloads: true }));
  const ours = best(runs, () => plan(world));
  const exhaustive = best(exhaustiveRuns, () => plan(world, Infinity));
  const o = ours.result;
  const x = exhaustive.result;
  console.log(`full pass (sample, entitle, usage, plan, migrate, status): ${fmt(pass.ms)} ms  (goal < ${goalMs} ms); ${pass.result.moves.length} moves, imbalance ${pass.result.imbalanceBefore} -> ${pass.result.imbalance}`);
  console.log(`planning, runtime greedy (${BREADTH} most loaded to ${BREADTH} least loaded hosts): ${fmt(ours.ms)} ms, ${o.moves.length} moves, imbalance ${o.imbalanceBefore.toFixed(4)} -> ${o.imbalanceAfter.toFixed(4)}`);
  console.log(`planning, exhaustive greedy baseline (best of ${exhaustiveRuns}): ${fmt(exhaustive.ms)} ms, ${x.moves.length} moves, imbalance ${x.imbalanceBefore.toFixed(4)} -> ${x.imbalanceAfter.toFixed(4)}`);
  console.log(`speed-up over baseline: ${fmt(exhaustive.ms / ours.ms, 1)}x; imbalance removed: runtime ${fmt((100 * (o.imbalanceBefore - o.imbalanceAfter)) / o.imbalanceBefore)}%, baseline ${fmt((100 * (x.imbalanceBefore - x.imbalanceAfter)) / x.imbalanceBefore)}%`);
  return { passMs: pass.ms, planMs: ours.ms, exhaustiveMs: exhaustive.ms, imbalanceAfter: o.imbalanceAfter, exhaustiveImbalanceAfter: x.imbalanceAfter };
}

export function benchDrs(): void {
  benchScale(96, 10_000, 100, 5, 3);
  benchScale(2_500, 40_000, 1000, 3, 1);
}
