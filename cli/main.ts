#!/usr/bin/env node
/** The `polyvisor` command: a thin shell over the runtime facade. Exit 0 ok, 1 refused, 2 bad usage. */
import { Command, CommanderError } from "commander";
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { type ClusterObject, PolyvisorError, type Runtime, isPolyvisorError, isStateUnusableError, openRuntime } from "../runtime";
import { runDemo } from "./commands/demo";
import { renderDrs } from "./commands/drs";
import { addReportCommand } from "./commands/report";
import { eventsDuring, renderEvents } from "./commands/events";
import { registerServe } from "./commands/serve";
import { inventory, renderStatus } from "./commands/status";
import { registerToken } from "./commands/token";
import { UsageError, formatSeconds, parseDuration } from "./format";

interface GlobalOptions {
  state?: string;
  url?: string;
  token?: string;
  json?: boolean;
}

const DEMO_STATE = ".polyvisor/demo.db";

function print(line: string): void {
  process.stdout.write(line + "\n");
}

async function withRuntime(opts: GlobalOptions, work: (rt: Runtime) => Promise<void>, path = opts.state): Promise<void> {
  const rt = await openRuntime({ path, url: opts.url, token: opts.token });
  try {
    await work(rt);
  } finally {
    await rt.close();
  }
}

export function buildProgram(): Command {
  const program = new Command("polyvisor")
    .description("Operate the Polyvisor virtualization runtime")
    .option("--state <path>", "SQLite state file (default: $POLYVISOR_STATE or ./.polyvisor/state.db)")
    .option("--url <url>", "a running polyvisor server (default: $POLYVISOR_URL)")
    .option("--token <token>", "the server's API token (default: $POLYVISOR_TOKEN)")
    .option("--json", "print JSON instead of tables")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const globals = () => program.opts<GlobalOptions>();

  program
    .command("status")
    .description("clusters, hosts and VMs with where each runs")
    .action(() =>
      withRuntime(globals(), async (rt) => {
        const inv = await inventory(rt);
        print(globals().json ? JSON.stringify(inv, null, 2) : renderStatus(inv));
      }),
    );

  program
    .command("events")
    .description("the event log")
    .option("--since <seq>", "only events after this sequence number", "0")
    .action((o: { since: string }) =>
      withRuntime(globals(), async (rt) => {
        const sinceSeq = Number(o.since);
        if (!Number.isInteger(sinceSeq) || sinceSeq < 0) throw new UsageError(`--since takes a sequence number, got "${o.since}"`);
        const events = await rt.events({ sinceSeq });
        print(globals().json ? JSON.stringify(events, null, 2) : renderEvents(events));
      }),
    );

  const sim = program.command("sim").description("simulated time");
  sim
    .command("advance <duration>")
    .description("move the simulated clock, e.g. 90s, 15m, 2h")
    .action((duration: string) =>
      withRuntime(globals(), async (rt) => {
        const seconds = parseDuration(duration);
        const events = await eventsDuring(rt, () => rt.advance(seconds));
        print(globals().json ? JSON.stringify({ timeSeconds: await rt.now(), events }, null, 2) : `Simulated time is now ${formatSeconds(await rt.now())}\n${renderEvents(events)}`);
      }),
    );

  program
    .command("drs <cluster>")
    .description("the last DRS pass of a cluster: imbalance before and after, moves and their reasons")
    .option("--now", "run a pass now (moves as the automation level says)")
    .option("--apply", "run a pass now and apply its moves, even in manual or partiallyAutomated")
    .action((cluster: string, o: { now?: boolean; apply?: boolean }) =>
      withRuntime(globals(), async (rt) => {
        const obj = o.now || o.apply ? await rt.runDrs(cluster, { apply: o.apply }) : await rt.get("Cluster", cluster);
        if (!obj) throw new PolyvisorError("NotFound", { kind: "Cluster", name: cluster }, `no Cluster named ${cluster} exists`);
        print(globals().json ? JSON.stringify((obj as ClusterObject).status.drs, null, 2) : renderDrs(obj as ClusterObject));
      }),
    );

  /** Runs a host operation and prints what happened, then how to follow what comes next. */
  const hostOperation = (work: (rt: Runtime) => Promise<void>) =>
    withRuntime(globals(), async (rt) => {
      const events = await eventsDuring(rt, () => work(rt));
      const timeSeconds = await rt.now();
      if (globals().json) return print(JSON.stringify({ timeSeconds, events }, null, 2));
      print(`${renderEvents(events)}\nSimulated time is ${formatSeconds(timeSeconds)}; HA acts as the clock moves: polyvisor sim advance 5m`);
    });
  const host = program.command("host").description("host operations");
  host
    .command("fail <name>")
    .description("inject a host failure: a crash, or a network isolation")
    .option("--mode <mode>", "crash or isolation", "crash")
    .action((name: string, o: { mode: string }) => {
      if (o.mode !== "crash" && o.mode !== "isolation") throw new UsageError(`--mode must be crash or isolation, got "${o.mode}"`);
      const mode = o.mode;
      return hostOperation((rt) => rt.failHost(name, { mode }));
    });
  host
    .command("recover <name>")
    .description("bring a failed or isolated host back")
    .action((name: string) => hostOperation((rt) => rt.recoverHost(name)));

  program
    .command("demo")
    .description(`run a short incident in a fresh state file (default ${DEMO_STATE}): placement, DRS, a host crash and HA restarts`)
    .action(async () => {
      const explicit = globals().state;
      const path = resolve(explicit ?? DEMO_STATE);
      if (explicit !== undefined && existsSync(path)) throw new UsageError(`the demo builds a fresh state; ${path} already exists`);
      for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
      await withRuntime(globals(), (rt) => runDemo(rt, print, path.replace(/\.db$/, "") + "-report.html"), path);
      print(`\nState kept in ${path}; try: polyvisor --state ${path} status`);
    });

  registerServe(program);
  registerToken(program);
  addReportCommand(program, (work) => withRuntime(globals(), work));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      process.stderr.write(`polyvisor: ${e.message}\n`);
      return 2;
    }
    if (isPolyvisorError(e)) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    if (isStateUnusableError(e)) {
      process.stderr.write(`polyvisor: ${e.message}\n`);
      return 3;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv).then((code) => process.exit(code));
}
