/**
 * Consolidation planning and what-if.
 * 1. Packing quality and time: 1,000 and 10,000 servers on identical hosts, on balanced instances
 *    (CPU and memory each uniform in 5-35% of a host, independent) and large-item instances (each
 *    uniform in 20-60%: few fit together), seeded. Hosts used by the planner (every heuristic,
 *    local improvement) next to First Fit Decreasing alone, both over the lower bound
 *    (Martello-Toth L2 per dimension, the volume bound, the cardinality bound), in the same run.
 * 2. What-if of one host failure at 96 hosts / 10,000 VMs (the HA benchmark's world): the failure
 *    and a minute (HA declares and restarts) or 15 minutes (DRS passes too) of simulated time on a
 *    fork, with the report; next to the same steps in one uncommitted operation without the report
 *    (median of 5, wall and CPU time).
 */
import { SeededRandom } from "../runtime/core/kernel/random";
import { whatIf } from "../runtime/core/what-if";
import { Txn } from "../runtime/core/kernel/txn";
import { executeIn } from "../runtime/core/commands";
import type { Bins, PackItem } from "../runtime/planning/bin-supply";
import { firstFitDecreasing, pack } from "../runtime/planning/packing";
import { buildWorld } from "./ha-failover";
import { fmt, header, nowUs, percentile } from "./stats";

const CAP = [100_000, 100_000];

function instance(seed: number, n: number, low: number, high: number): PackItem[] {
  const random = new SeededRandom(seed);
  const draw = () => Math.round(CAP[0] * (low + (high - low) * random.next()));
  return Array.from({ length: n }, (_, i) => ({ name: `srv${String(i).padStart(5, "0")}`, size: [draw(), draw()] }));
}

/**
 * Existing hosts of three sizes (half, once and one and a half a model host, in both dimensions),
 * about a third of what the servers need, then hosts of the model.
 */
function mixedSupply(n: number, low: number, high: number): Bins {
  const count = Math.round((n * (low + high)) / 2 / 3);
  return { fixed: Array.from({ length: count }, (_, i) => CAP.map((c) => (c * [1, 2, 3][i % 3]) / 2)), extra: CAP };
}

function packingRow(kind: string, n: number, seeds: number[], low: number, high: number, mixed = false): void {
  const ratios: number[] = [];
  const ffdRatios: number[] = [];
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const ffdTimes: number[] = [];
  let worseThanFfd = 0;
  let hosts = 0;
  let ffdHosts = 0;
  let bound = 0;
  for (const seed of seeds) {
    const items = instance(seed, n, low, high);
    const bins = mixed ? mixedSupply(n, low, high) : CAP;
    let t = nowUs();
    const ffd = firstFitDecreasing(items, bins);
    ffdTimes.push((nowUs() - t) / 1000);
    t = nowUs();
    const cpu = process.cpuUsage();
    const plan = pack(items, bins);
    times.push((nowUs() - t) / 1000);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
    ratios.push(plan.bins.length / plan.lowerBound);
    ffdRatios.push(ffd.bins.length / plan.lowerBound);
    // Worse by the packer's own order: more hosts added beyond the existing ones, then more hosts.
    const fixedCount = "fixed" in bins ? bins.fixed.length : 0;
    const added = (slots: number[]) => slots.filter((s) => s >= fixedCount).length;
    if (added(plan.slots) - added(ffd.slots) > 0 || (added(plan.slots) === added(ffd.slots) && plan.bins.length > ffd.bins.length))
      worseThanFfd++;
    hosts += plan.bins.length;
    ffdHosts += ffd.bins.length;
    bound += plan.lowerBound;
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const k = seeds.length;
  console.log(
    `| ${kind} | ${n.toLocaleString("en-US")} | ${k} | ${fmt(bound / k, 1)} | ${fmt(hosts / k, 1)} | ${fmt(ffdHosts / k, 1)} | ${fmt((mean(ratios) - 1) * 100, 2)}% | ${fmt((mean(ffdRatios) - 1) * 100, 2)}% | ${worseThanFfd} | ${fmt(mean(times), 0)} ms | ${fmt(mean(cpuTimes), 0)} ms | ${fmt(mean(ffdTimes), 1)} ms |`,
  );
}

/** `PLANNING_PART=packing-1000|packing-10000|what-if` runs one part (each well under a minute on a loaded machine); unset, all. */
const part = process.env.PLANNING_PART;
const runs = (name: string) => part === undefined || part === name;

export function benchPlanning(): void {
  if (runs("packing-1000") || runs("packing-10000")) benchPacking();
  if (runs("what-if")) benchWhatIf();
}

function benchPacking(): void {
  header("Consolidation packing: planner vs First Fit Decreasing, over the lower bound");
  console.log(
    "| instances | servers | runs | lower bound | planner hosts | FFD hosts | planner over bound | FFD over bound | runs worse than FFD | planner wall time | planner CPU time | FFD wall time |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const [kind, low, high] of [
    ["balanced", 0.05, 0.35],
    ["large items", 0.2, 0.6],
  ] as const) {
    if (runs("packing-1000")) packingRow(kind, 1000, [1, 2, 3], low, high);
    if (runs("packing-10000")) packingRow(kind, 10_000, [11], low, high);
    if (runs("packing-1000")) packingRow(`${kind}, existing hosts of 3 sizes then the model`, 1000, [1, 2, 3], low, high, true);
  }
}

function benchWhatIf(): void {
  header("What-if: one host failure at 96 hosts / 10,000 VMs");
  const world = buildWorld();
  console.log(
    `| steps | what-if (fork, steps, report) | its CPU time | baseline: the steps in one uncommitted operation, no report | its CPU time | restarts | DRS moves |`,
  );
  console.log(`|---|---|---|---|---|---|---|`);
  for (const seconds of [60, 900]) {
    const steps = [
      { type: "failHost" as const, host: "esx000" },
      { type: "advance" as const, seconds },
    ];
    const whatIfUs: number[] = [];
    const whatIfCpuUs: number[] = [];
    const baseUs: number[] = [];
    const baseCpuUs: number[] = [];
    let restarts = 0;
    let moves = 0;
    for (let i = 0; i < 5; i++) {
      let t = nowUs();
      const cpu = process.cpuUsage();
      const report = whatIf(world, steps);
      whatIfUs.push(nowUs() - t);
      const used = process.cpuUsage(cpu);
      whatIfCpuUs.push(used.user + used.system);
      restarts = report.restarts.length;
      moves = report.drsMoves.length;
      t = nowUs();
      const baseCpu = process.cpuUsage();
      const txn = new Txn(world);
      executeIn(txn, { type: "failHost", name: "esx000", mode: "crash" });
      executeIn(txn, { type: "advance", seconds });
      baseUs.push(nowUs() - t);
      const baseUsed = process.cpuUsage(baseCpu);
      baseCpuUs.push(baseUsed.user + baseUsed.system);
    }
    const ms = (us: number[]) => `${fmt(percentile(us, 50) / 1000, 1)} ms`;
    console.log(
      `| fail esx000, advance ${seconds} s (${world.count("VirtualMachine").toLocaleString("en-US")} VMs, ${world.count("Host")} hosts) | ${ms(whatIfUs)} | ${ms(whatIfCpuUs)} | ${ms(baseUs)} | ${ms(baseCpuUs)} | ${restarts} | ${moves} |`,
    );
  }
}
