/** `polyvisor state export|import`: the whole state as one JSON file. */
import { writeFileSync } from "node:fs";
import { type Cli, examples } from "../context";
import { quote } from "../format";
import { readInput } from "../manifest";
import { print, toJson } from "../output";
import { UsageError } from "../usage-error";
import { registerStateCheck } from "./state-check";

export function registerState(cli: Cli): void {
  const state = cli.program.command("state").description("back up, move, compare and check a whole state");
  registerStateCheck(cli, state);
  examples(
    state.command("export <file>").description("write every object, the clock, the timers and the events as JSON (- for stdout)"),
    "polyvisor state export backup.json",
    "diff <(polyvisor --state a.db state export -) <(polyvisor --state b.db state export -)",
  ).action((file: string) =>
    cli.withRuntime(
      async (rt) => {
        const text = toJson(await rt.exportState());
        if (file === "-") return print(text);
        try {
          writeFileSync(file, `${text}\n`, { flag: "wx" });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw new UsageError(
            code === "EEXIST"
              ? `${quote(file)} exists; export writes a new file`
              : `cannot write ${quote(file)}: ${code ?? (e as Error).message}`,
          );
        }
        cli.emit({ file }, () => `State exported to ${file}`);
      },
      { create: false },
    ),
  );
  examples(
    state.command("import <file>").description("load an exported state into an empty state (- for stdin)"),
    "polyvisor --state new.db state import backup.json",
  ).action((file: string) => {
    let dump: unknown;
    try {
      dump = JSON.parse(readInput(file));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`${file === "-" ? "stdin" : quote(file)} is not JSON: ${(e as Error).message.slice(0, 200)}`);
    }
    return cli.withRuntime(async (rt) => {
      await rt.importState(dump);
      cli.emit({ file, timeSeconds: await rt.now() }, () => `State imported from ${file}`);
    });
  });
}
