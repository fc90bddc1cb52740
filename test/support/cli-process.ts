/** The compiled `polyvisor` command in a child process: stdout through a pipe, the exit code as the shell sees it. */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

export const CLI = resolve(__dirname, "..", "..", "dist", "cli", "main.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCliProcess(cwd: string, args: string[], opts: { input?: string; env?: Record<string, string> } = {}): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, POLYVISOR_STATE: "", POLYVISOR_URL: "", POLYVISOR_TOKEN: "", ...opts.env };
  delete env.COLUMNS;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env, input: opts.input, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
