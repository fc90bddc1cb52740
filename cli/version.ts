/** The installed package: its folder and version, from the package.json above this file (source, dist or the CLI bundle). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The folder holding the package's package.json (the repository or the installed package). */
export function packageRoot(): string | undefined {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  return undefined;
}

export function packageVersion(): string {
  const root = packageRoot();
  return root === undefined ? "unknown" : (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}
