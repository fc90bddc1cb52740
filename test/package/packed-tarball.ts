/**
 * The package as `npm pack` makes it from this checkout's build: what a user's `npm install polyvisor`
 * unpacks. Packing skips the prepack build, so the checkout must be built first (`npm test` builds).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** The checkout's root, found from here whether this runs as TypeScript or from dist/ (the install bench). */
function checkoutRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json"))) {
    if (dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = dirname(dir);
  }
  return dir;
}

export interface PackedTarball {
  /** Absolute path of the .tgz. */
  path: string;
  name: string;
  version: string;
  /** Paths inside the package, e.g. "dist/runtime/index.js". */
  files: string[];
}

export function packCheckout(destination: string): PackedTarball {
  const root = checkoutRoot();
  if (!existsSync(join(root, "dist", "provider", "index.js"))) {
    throw new Error("dist/ is missing: run `npm run build` before packing");
  }
  const json = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [packed] = JSON.parse(json) as { filename: string; name: string; version: string; files: { path: string }[] }[];
  return {
    path: join(destination, packed.filename),
    name: packed.name,
    version: packed.version,
    files: packed.files.map((f) => f.path).sort(),
  };
}
