/**
 * What every command group gets: the global options, a runtime opened from them, and one way to
 * print a result (JSON under --json, else the command's own rendering). Commands reach the state
 * only through openRuntime and the Runtime interface, so they work the same against a server.
 */
import type { Command } from "commander";
import type { Runtime } from "../runtime";
import { print, toJson } from "./output";

export interface GlobalOptions {
  state?: string;
  url?: string;
  token?: string;
  json?: boolean;
}

export interface RuntimeAccess {
  /** false for commands that only read: a missing state is an error, nothing is created. */
  create?: boolean;
  /** Another state file than --state (the demo's). */
  path?: string;
}

export interface Cli {
  program: Command;
  globals(): GlobalOptions;
  withRuntime<T>(work: (rt: Runtime) => Promise<T>, access?: RuntimeAccess): Promise<T>;
  /** Prints `value` as JSON under --json, else as `render` shows it. */
  emit<T>(value: T, render: (value: T) => string): void;
}

export function createCli(program: Command): Cli {
  const globals = () => program.opts<GlobalOptions>();
  return {
    program,
    globals,
    async withRuntime(work, access = {}) {
      const g = globals();
      const url = g.url ?? (process.env.POLYVISOR_URL || undefined);
      const token = g.token ?? (process.env.POLYVISOR_TOKEN || undefined);
      // Loaded here, not at startup: --help, --version and usage errors do without the runtime's modules.
      const { openRuntime } = await import("../runtime");
      const rt = await openRuntime(url !== undefined ? { url, token } : { path: access.path ?? g.state, create: access.create });
      try {
        return await work(rt);
      } finally {
        await rt.close();
      }
    },
    emit(value, render) {
      print(globals().json ? toJson(value) : render(value));
    },
  };
}

const EXAMPLES = new WeakMap<Command, string[]>();

/** Adds an example section to a command's --help (and to the generated reference). */
export function examples(command: Command, ...lines: string[]): Command {
  EXAMPLES.set(command, lines);
  return command.addHelpText("after", `\nExample${lines.length > 1 ? "s" : ""}:\n${lines.map((l) => `  $ ${l}`).join("\n")}`);
}

export function examplesOf(command: Command): string[] {
  return EXAMPLES.get(command) ?? [];
}
