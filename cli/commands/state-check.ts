/**
 * `polyvisor state check`: the runtime's checkState as a report, one line per check. Exit 0 when
 * every check passes; a state with problems cannot be trusted, so it exits as unusable state (3).
 */
import type { Command } from "commander";
import type { StateCheck } from "../../runtime";
import { StateUnusableError } from "../../runtime/api";
import type { Cli } from "../context";

export function renderStateCheck(check: StateCheck): string {
  return check.checks
    .map((c) =>
      c.problems.length === 0
        ? `${c.name}: ok`
        : [`${c.name}: ${c.problems.length} problem(s)`, ...c.problems.map((p) => `  - ${p}`)].join("\n"),
    )
    .join("\n");
}

/** Adds `check` under the `state` command. */
export function registerStateCheck(cli: Cli, state: Command): void {
  state
    .command("check")
    .description("check the state without changing it: integrity, schema, rows, specs, usage against guests, timers")
    .action(() =>
      cli.withRuntime(
        async (rt) => {
          const check = await rt.checkState();
          cli.emit(check, renderStateCheck);
          if (!check.ok) {
            const count = check.checks.reduce((n, c) => n + c.problems.length, 0);
            throw new StateUnusableError(
              "the state",
              `the check found ${count} problem(s)`,
              "restore it from a backup, or export what is sound and start a new state",
            );
          }
        },
        { create: false },
      ),
    );
}
