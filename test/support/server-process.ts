/** Starts `polyvisor serve` (dist/) as a separate process on a free loopback port, for tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

export const CLI = join(__dirname, "..", "..", "dist", "cli", "main.js");

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `state`: a state file, or a PostgreSQL datacenter that several servers may share. */
export function startServer(
  state: string | { postgres: string },
  args: string[] = ["--paused"],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const where = typeof state === "string" ? ["--state", state, "serve"] : ["serve", "--postgres", state.postgres];
  const child = spawn(process.execPath, [CLI, ...where, "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, POLYVISOR_URL: "", POLYVISOR_TOKEN: "", POLYVISOR_POSTGRES: "", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      stdout += d;
      const match = /listening on (http:\/\/\S+)\n/.exec(stdout);
      if (match) {
        resolve({
          url: match[1],
          child,
          stderr: () => stderr,
          stop: () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    exited.then((code) => reject(new Error(`polyvisor serve exited ${code} before listening: ${stderr}`)));
  });
}
