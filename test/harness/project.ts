// Throwaway program folders whose node_modules resolve packages by name, as a user's project would.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// The engine starts the dynamic provider host from the program folder's own @pulumi/pulumi.
const pulumiPackageDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

/**
 * Creates a folder under the OS temp dir whose node_modules links each package name to a folder,
 * e.g. {"noop-provider": fixtureDir, "polyvisor": "/work/main"}; @pulumi/pulumi is linked unless given.
 */
export function makeProjectDir(links: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-program-"));
  for (const [name, target] of Object.entries({ "@pulumi/pulumi": pulumiPackageDir, ...links })) {
    const link = path.join(dir, "node_modules", name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.resolve(target), link, "dir");
  }
  return dir;
}

export function removeProjectDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
