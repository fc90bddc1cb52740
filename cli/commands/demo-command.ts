/** Registers `polyvisor demo`: the scenario itself is in demo.ts. */
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { type Cli, examples } from "../context";
import { print } from "../output";
import { UsageError } from "../usage-error";
import { runDemo } from "./demo";

const DEMO_STATE = ".polyvisor/demo.db";

export function registerDemo(cli: Cli): void {
  examples(
    cli.program
      .command("demo")
      .description(`run a short incident in a fresh state file (default ${DEMO_STATE}): placement, DRS, a host crash and HA restarts`),
    "polyvisor demo",
  ).action(async () => {
    if (cli.globals().json)
      throw new UsageError(
        "the demo is a narrated walk-through for a terminal; it has no --json output (try polyvisor --json status afterwards)",
      );
    const explicit = cli.globals().state;
    const path = resolve(explicit ?? DEMO_STATE);
    if (explicit !== undefined && existsSync(path)) throw new UsageError(`the demo builds a fresh state; ${path} already exists`);
    for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
    await cli.withRuntime((rt) => runDemo(rt, print, `${path.replace(/\.db$/, "")}-report.html`), { path });
    print(`\nState kept in ${path}; try: polyvisor --state ${path} status`);
  });
}
