/**
 * `node dist/bench/install.js` (after `npm run build`): how long `npm ci` of the packed package takes
 * in an empty program folder with a lock file, and the share of it spent building better-sqlite3.
 * The install runs twice in parts, since one build from source takes minutes: `npm ci
 * --ignore-scripts` (resolution from the lock, the cache, unpacking), then `npm rebuild
 * better-sqlite3` (its install script: a prebuilt-binary download, unreachable here, then node-gyp).
 * On Node 22 and later npm picks better-sqlite3 13, which ships its addon and has nothing to build.
 * Figures depend on the machine's load, printed beside them. Not part of `npm run bench`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { packCheckout } from "../test/package/packed-tarball";
import { tempDir } from "../test/support/state-file";

function timed(label: string, command: string[], cwd: string): number {
  const started = process.hrtime.bigint();
  execFileSync("npm", command, { cwd, stdio: ["ignore", "ignore", "inherit"] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`  ${label.padEnd(44)} ${seconds.toFixed(1).padStart(6)} s`);
  return seconds;
}

function main(): void {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(" ");
  console.log(
    `# Install of the packed package — Node ${process.version}, npm ${execFileSync("npm", ["-v"], { encoding: "utf8" }).trim()}, ${cpus()[0]?.model ?? "unknown CPU"} x${cpus().length}, load ${load()}`,
  );
  const temp = tempDir("polyvisor-install-bench-");
  try {
    const tarball = packCheckout(temp.dir);
    const program = join(temp.dir, "program");
    mkdirSync(program);
    const manifest = {
      name: "install-bench",
      private: true,
      dependencies: { polyvisor: `file:${tarball.path}` },
      allowScripts: { "better-sqlite3": true, protobufjs: false },
    };
    writeFileSync(join(program, "package.json"), JSON.stringify(manifest, null, 2));
    execFileSync("npm", ["install", "--package-lock-only", "--prefer-offline", "--no-audit", "--no-fund"], {
      cwd: program,
      stdio: "ignore",
    });
    const lock = JSON.parse(readFileSync(join(program, "package-lock.json"), "utf8"));
    const sqlite = lock.packages["node_modules/better-sqlite3"];
    console.log(
      `  ${Object.keys(lock.packages).length - 1} packages in the lock; better-sqlite3 ${sqlite.version}${sqlite.hasInstallScript ? ", built at install" : ", prebuilt"}`,
    );
    const unpack = timed(
      "npm ci --ignore-scripts (lock, cache, unpack)",
      ["ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"],
      program,
    );
    const build = sqlite.hasInstallScript
      ? timed("npm rebuild better-sqlite3 (its install script)", ["rebuild", "better-sqlite3"], program)
      : 0;
    const total = unpack + build;
    console.log(
      `  ${"npm ci, total".padEnd(44)} ${total.toFixed(1).padStart(6)} s; better-sqlite3's build ${((100 * build) / total).toFixed(0)}% of it (load ${load()})`,
    );
  } finally {
    temp.cleanup();
  }
}

main();
