/**
 * An example's README steps, read from its first `sh` block: the commands a user types after cloning,
 * each one recognised, so a README that asks for anything else fails the test that follows it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export type Step =
  | { kind: "install" }
  | { kind: "cd"; dir: string }
  | { kind: "stackInit"; stack: string }
  | { kind: "up" }
  | { kind: "cli"; args: string[] };

const STATE_OPTION = "--state .polyvisor/state.db";

function parseStep(line: string): Step {
  if (line === "npm ci && npm run build") return { kind: "install" };
  const cd = /^cd (examples\/[a-z0-9-]+)$/.exec(line);
  if (cd) return { kind: "cd", dir: cd[1] };
  const stack = /^pulumi stack init ([a-z0-9-]+)$/.exec(line);
  if (stack) return { kind: "stackInit", stack: stack[1] };
  if (line === "pulumi up") return { kind: "up" };
  if (line.startsWith(`npx polyvisor ${STATE_OPTION} `)) {
    return { kind: "cli", args: line.slice(`npx polyvisor ${STATE_OPTION} `.length).split(/\s+/) };
  }
  throw new Error(`unrecognised README step: ${line.slice(0, 200)}`);
}

/** The steps of `examples/<name>/README.md`, comments dropped. */
export function readmeSteps(repoRoot: string, name: string): Step[] {
  const readme = readFileSync(join(repoRoot, "examples", name, "README.md"), "utf8");
  const block = /```sh\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error(`examples/${name}/README.md has no sh block`);
  return block[1]
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "")
    .map(parseStep);
}
