#!/usr/bin/env node
/**
 * The `polyvisor` command: a thin shell over the runtime facade. Each command group lives in its
 * own file under commands/ and registers itself with one call below.
 */
import { Command, CommanderError } from "commander";
import { type Cli, createCli } from "./context";
import { EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, describeError, writeError } from "./errors";
import { clip } from "./format";
import { ignoreClosedStdout, print } from "./output";
import { packageVersion } from "./version";
import { registerCt } from "./commands/ct";
import { registerDemo } from "./commands/demo-command";
import { registerDrs } from "./commands/drs";
import { registerEvents } from "./commands/events";
import { registerHost } from "./commands/host";
import { registerObjects } from "./commands/objects";
import { registerPlanCommand } from "./commands/plan";
import { registerReport } from "./commands/report";
import { registerServe } from "./commands/serve";
import { registerSim } from "./commands/sim";
import { registerState } from "./commands/state";
import { registerStatus } from "./commands/status";
import { registerToken } from "./commands/token";
import { registerVm } from "./commands/vm";
import { registerWhatIfCommand } from "./commands/what-if";
import { registerXm } from "./commands/xm";

/** For the command reference (tools/cli-reference.ts), read from the same module as the commands it documents. */
export { examplesOf } from "./context";

/** Every command group, in the order --help lists them. */
const COMMAND_GROUPS: ((cli: Cli) => void)[] = [
  registerStatus,
  registerObjects,
  registerVm,
  registerHost,
  registerCt,
  registerXm,
  registerEvents,
  registerSim,
  registerDrs,
  registerState,
  registerDemo,
  registerServe,
  registerToken,
  registerReport,
  ({ program }) => registerPlanCommand(program, print),
  ({ program }) => registerWhatIfCommand(program, print),
];

/** Commander's own messages can echo what was typed: keep them short. */
const MAX_USAGE_MESSAGE = 500;

export function buildProgram(jsonErrors = false): Command {
  const program = new Command("polyvisor")
    .description("Operate the Polyvisor virtualization runtime")
    .version(packageVersion(), "--version", "print the version")
    .option("--state <path>", "SQLite state file (default: $POLYVISOR_STATE or ./.polyvisor/state.db)")
    .option("--url <url>", "a running polyvisor server (default: $POLYVISOR_URL)")
    .option("--token <token>", "the server's access token (default: $POLYVISOR_TOKEN)")
    .option("--json", "print JSON instead of tables, and errors as one JSON object on stderr")
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => {
        if (!jsonErrors) write(`${clip(s.trimEnd(), MAX_USAGE_MESSAGE)}\n`);
      },
    })
    .addHelpText("after", `\n${EXIT_CODES_HELP}`);
  const cli = createCli(program);
  for (const register of COMMAND_GROUPS) register(cli);
  // Subcommands inherit the exit override and the output settings, so usage errors end up in main().
  return program;
}

/** --json asks for JSON errors too, even when the arguments cannot be parsed. */
function wantsJson(argv: string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).includes("--json");
}

/** Runs the command line and returns its exit code; output is written, never cut short. */
export async function main(argv: string[]): Promise<number> {
  const json = wantsJson(argv);
  try {
    await buildProgram(json).parseAsync(argv);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return EXIT_OK;
      if (json) writeError({ json: { code: "Usage", message: clip(e.message, MAX_USAGE_MESSAGE) }, line: "" }, true);
      return EXIT_USAGE;
    }
    const report = describeError(e);
    writeError(report, json);
    return report.exitCode;
  }
}

/** What the `polyvisor` executable does: runs this process's command line. */
export function run(): void {
  ignoreClosedStdout();
  // The process ends once stdout has drained: an explicit exit call here would cut output in a pipe.
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) run();
