/**
 * Everything the CLI prints goes through here. Writes to a pipe are asynchronous in Node: the
 * process must end by running out of work (process.exitCode), never by an explicit exit call, or what is
 * still buffered is lost.
 */

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Loaded on first use: most commands print no YAML, and the parser costs a tenth of a second of startup. */
export function toYaml(value: unknown): string {
  const { stringify } = require("yaml") as typeof import("yaml");
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

/** A reader that went away (`polyvisor events | head`) is no error: stop writing quietly. */
export function ignoreClosedStdout(): void {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.stdout.destroy();
  });
}

/** The columns a table may use: the terminal's width, unlimited when stdout is not a terminal. */
export function outputWidth(): number | undefined {
  const fromEnv = Number(process.env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return process.stdout.isTTY ? process.stdout.columns : undefined;
}
