/**
 * How long a CLI command takes from process start to its first line of output on a state of 96
 * hosts and 10,000 VMs: `status` (goal < 300 ms), `get VirtualMachine NAME` (goal < 150 ms) and
 * `apply` of one new VM (a cold start that opens the state and writes: goal < 300 ms), against
 * `node -e 0` (start and exit of a bare Node process) in the same run. Each figure is the best and
 * the median of RUNS runs; the state is built once through the runtime. With
 * POLYVISOR_BENCH_BASELINE_CLI naming another build's cli/main.js, each command also runs with that
 * build, in turn with this one, so a change is measured against its baseline on the same machine state.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRuntime } from "../runtime";
import { SeededRandom } from "../runtime/core/kernel/random";
import { benchVmSpec } from "./inventory";
import { fmt, header, nowUs, percentile } from "./stats";

const HOSTS = 96;
const VMS = 10_000;
const RUNS = 7;
const CLI = join(__dirname, "..", "cli", "main.js");
const BASELINE_CLI = process.env.POLYVISOR_BENCH_BASELINE_CLI || undefined;

async function buildState(path: string): Promise<void> {
  const rt = await openRuntime({ path });
  await rt.apply({ kind: "Cluster", name: "bench", spec: {} });
  for (let h = 0; h < HOSTS; h++) {
    const cpu = { sockets: 2, coresPerSocket: 16, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] };
    await rt.apply({
      kind: "Host",
      name: `esx${h}`,
      spec: { cluster: "bench", hypervisor: "esx", hypervisorVersion: "4.0", cpu, memoryMb: 1024 * 1024 },
    });
  }
  const random = new SeededRandom(42);
  for (let i = 0; i < VMS; i++) await rt.apply({ kind: "VirtualMachine", name: `vm${i}`, spec: benchVmSpec(random) });
  await rt.close();
}

/** Milliseconds from spawn to the first byte on stdout (or to exit when nothing is printed). */
function timeToFirstOutput(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = nowUs();
    let first: number | undefined;
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, POLYVISOR_STATE: "" } });
    child.stdout.on("data", () => (first ??= nowUs()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${args.join(" ")} exited ${code}`));
      resolve(((first ?? nowUs()) - start) / 1000);
    });
  });
}

/** A command's arguments with a given CLI file, for each run (an apply creates a new VM each time). */
type Args = (cli: string, run: number) => string[];

interface Timing {
  best: number;
  median: number;
}

/** Runs the command RUNS times with each CLI, in turn, and times each. */
async function measure(args: Args, clis: string[]): Promise<Timing[]> {
  const samples: number[][] = clis.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [c, cli] of clis.entries()) samples[c].push(await timeToFirstOutput(args(cli, i * clis.length + c)));
  }
  return samples.map((s) => ({ best: Math.min(...s), median: percentile(s, 50) }));
}

/**
 * CPU time (user + system, less sensitive to a busy machine than wall time) of the phases of a
 * `get` in a fresh process: loading the runtime's modules, opening the file, the get (one VM's row),
 * then loading the world (what `status`, `apply` and every other read and write of a fresh process pay).
 */
function cpuPhases(state: string): Record<string, number> {
  const script = `
    const t0 = process.cpuUsage();
    const ms = () => { const u = process.cpuUsage(t0); return (u.user + u.system) / 1000; };
    const phases = {};
    const { openRuntime } = require(${JSON.stringify(join(__dirname, "..", "runtime"))});
    phases.loadModules = ms();
    (async () => {
      const rt = await openRuntime({ path: ${JSON.stringify(state)}, create: false });
      phases.open = ms() - phases.loadModules;
      await rt.get("VirtualMachine", "vm5000");
      phases.firstGet = ms() - phases.open - phases.loadModules;
      await rt.list("Cluster");
      phases.loadWorld = ms() - phases.firstGet - phases.open - phases.loadModules;
      await rt.close();
      console.log(JSON.stringify(phases));
    })();`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}

export async function benchCliStartup(): Promise<void> {
  header(`CLI: time to first line, ${HOSTS} hosts / ${VMS.toLocaleString("en-US")} VMs (best and median of ${RUNS})`);
  const dir = mkdtempSync(join(tmpdir(), "polyvisor-bench-cli-"));
  try {
    const state = join(dir, "state.db");
    const built = nowUs();
    await buildState(state);
    console.log(`state built in ${fmt((nowUs() - built) / 1e6)} s`);
    const manifest = (run: number): string => {
      const file = join(dir, `new-vm-${run}.yaml`);
      writeFileSync(
        file,
        `kind: VirtualMachine\nname: new-vm-${run}\nspec:\n  cluster: bench\n  vcpus: 1\n  memoryMb: 1024\n  guestOs: linux\n`,
      );
      return file;
    };
    const cases: [string, Args, number | undefined][] = [
      ["node -e 0 (baseline)", () => ["-e", "0"], undefined],
      ["polyvisor --version", (cli) => [cli, "--version"], undefined],
      ["polyvisor status", (cli) => [cli, "--state", state, "status"], 300],
      ["polyvisor get VirtualMachine vm5000", (cli) => [cli, "--state", state, "get", "VirtualMachine", "vm5000"], 150],
      ["polyvisor apply -f (one new VM)", (cli, run) => [cli, "--state", state, "apply", "-f", manifest(run)], 300],
    ];
    if (BASELINE_CLI) console.log(`each command in turn with the build at ${BASELINE_CLI} (shown first)`);
    let baseline = 0;
    for (const [label, args, goal] of cases) {
      const timings = await measure(args, label.includes("baseline") ? [CLI] : BASELINE_CLI ? [BASELINE_CLI, CLI] : [CLI]);
      const { best, median } = timings[timings.length - 1];
      if (baseline === 0) baseline = best;
      const vs = label.includes("baseline") ? "" : `, ${fmt(best / baseline)}x the baseline`;
      const before =
        timings.length > 1 ? `that build: best ${fmt(timings[0].best)} ms, median ${fmt(timings[0].median)} ms; this build: ` : "";
      console.log(
        `${label}: ${before}best ${fmt(best)} ms, median ${fmt(median)} ms${vs}${goal ? ` (goal < ${goal} ms: ${best < goal ? "met" : "missed"})` : ""}`,
      );
    }
    const phases = cpuPhases(state);
    console.log(
      `CPU time of a get in a fresh process: ${Object.entries(phases)
        .map(([k, v]) => `${k} ${fmt(v)} ms`)
        .join(", ")}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
