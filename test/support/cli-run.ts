/** Runs the `polyvisor` command in this process on a state file, capturing what it prints. */
import { vi } from "vitest";
import { main } from "../../cli/main";

export async function runCli(state: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  try {
    const code = await main(["node", "polyvisor", "--state", state, ...args]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
