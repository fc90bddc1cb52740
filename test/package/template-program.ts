/**
 * A throwaway Pulumi program made the way Pulumi's TypeScript template makes one (CommonJS,
 * `moduleResolution: node`), with the packed tarball installed into it by npm from its cache.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../provider/program-loader";

const FIXTURE = join(__dirname, "fixtures", "program", "index.ts");

/** Pulumi's TypeScript template's compiler options, plus esModuleInterop, which zod's declarations need. */
const TEMPLATE_COMPILER_OPTIONS = {
  strict: true,
  esModuleInterop: true,
  outDir: "bin",
  target: "es2020",
  module: "commonjs",
  moduleResolution: "node",
  sourceMap: true,
  experimentalDecorators: true,
  pretty: false,
  noFallthroughCasesInSwitch: true,
  noImplicitReturns: true,
  forceConsistentCasingInFileNames: true,
};

export interface InstalledProgram {
  dir: string;
  /** Wall time of `npm install`, in seconds. */
  installSeconds: number;
}

function versionIn(dir: string, pkg: string): string {
  return JSON.parse(readFileSync(join(dir, "node_modules", pkg, "package.json"), "utf8")).version;
}

export function installTemplateProgram(dir: string, tarball: string): InstalledProgram {
  mkdirSync(dir, { recursive: true });
  const manifest = {
    name: "packed-polyvisor-program",
    main: "index.ts",
    devDependencies: { "@types/node": `^${versionIn(REPO_ROOT, "@types/node")}`, typescript: `^${versionIn(REPO_ROOT, "typescript")}` },
    // The program runs in the test's process under the engine harness's mocks, which speak the
    // protocol of this checkout's SDK release: the program pins that release (npm would otherwise
    // give Node 22+ a newer one).
    dependencies: { "@pulumi/pulumi": versionIn(REPO_ROOT, "@pulumi/pulumi"), polyvisor: `file:${tarball}` },
    allowScripts: { "better-sqlite3": true, protobufjs: false },
  };
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: TEMPLATE_COMPILER_OPTIONS, files: ["index.ts"] }, null, 2));
  writeFileSync(join(dir, "Pulumi.yaml"), "name: packed-polyvisor-program\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
  copyFileSync(FIXTURE, join(dir, "index.ts"));
  const started = process.hrtime.bigint();
  // Install scripts are skipped: better-sqlite3's build from source takes minutes and is measured by
  // the install bench; its addon is provided below.
  execFileSync("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const installSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  provideSqliteAddon(dir);
  return { dir, installSeconds };
}

/**
 * better-sqlite3 12 builds its addon at install time; 13 ships it. When the program got the same
 * 12.x release as this checkout, the checkout's addon (built for the running Node) is copied in,
 * as a prebuilt binary would be; any other release lacking an addon is built with `npm rebuild`.
 */
function provideSqliteAddon(dir: string): void {
  const addon = join("build", "Release", "better_sqlite3.node");
  const installed = join(dir, "node_modules", "better-sqlite3");
  if (canLoad(dir)) return;
  const ours = join(REPO_ROOT, "node_modules", "better-sqlite3");
  if (versionIn(dir, "better-sqlite3") === versionIn(REPO_ROOT, "better-sqlite3") && existsSync(join(ours, addon))) {
    mkdirSync(dirname(join(installed, addon)), { recursive: true });
    copyFileSync(join(ours, addon), join(installed, addon));
  } else {
    execFileSync("npm", ["rebuild", "better-sqlite3"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  }
}

function canLoad(dir: string): boolean {
  try {
    execFileSync(process.execPath, ["-e", 'new (require("better-sqlite3"))(":memory:").close()'], { cwd: dir, stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
