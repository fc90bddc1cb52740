/**
 * The `polyvisor` command users run is one bundled file started from its code cache: a command
 * loads the executable, the bundle and the packages kept outside it (native SQLite), not the compiled
 * modules beside it, and not zod's locales. A code cache that does not fit the bundle is ignored.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { tempDir } from "../support/state-file";

const ROOT = resolve(__dirname, "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
const BUNDLE = join(ROOT, "dist", "cli", "polyvisor.js");
/** better-sqlite3 and the packages it loads its native binding with. */
const SQLITE_PACKAGES = ["better-sqlite3", "bindings", "file-uri-to-path"];
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Runs the CLI with a preload that lists, on exit, every file Node loaded as a module. */
function loadedFiles(...args: string[]): { code: number | null; stdout: string; files: string[] } {
  const hook = join(tmp.dir, "list-modules.js");
  const list = join(tmp.dir, "modules.json");
  writeFileSync(
    hook,
    `const Module = require("node:module");
     const files = new Set();
     const load = Module.prototype.load;
     Module.prototype.load = function (file) { files.add(file); return load.call(this, file); };
     process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(list)}, JSON.stringify([...files])));`,
  );
  const r = spawnSync(process.execPath, ["--require", hook, CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, POLYVISOR_STATE: "", POLYVISOR_POSTGRES: "" },
  });
  // The executable compiles the bundle itself (from its code cache): the bundle is read, not loaded as a module.
  const files = (JSON.parse(readFileSync(list, "utf8")) as string[]).filter((f) => f !== hook);
  return { code: r.status, stdout: r.stdout, files };
}

describe("the bundled CLI", () => {
  it("is what package.json's bin runs", () => {
    const { bin } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(resolve(ROOT, bin.polyvisor)).toBe(CLI);
  });

  it("reads a state and applies an object loading itself and native SQLite only", async () => {
    const state = join(tmp.dir, "state.db");
    const rt = await openRuntime({ path: state });
    for (const obj of [cluster("prod"), esxHost("esx1")]) await rt.apply(obj);
    await rt.close();
    const manifest = join(tmp.dir, "vm.json");
    writeFileSync(manifest, JSON.stringify(vm("web1")));

    for (const args of [["status"], ["get", "Host", "esx1"], ["apply", "-f", manifest]]) {
      const r = loadedFiles("--state", state, ...args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.files[0]).toBe(CLI);
      expect(
        r.files.filter((f) => !f.includes("node_modules")),
        args.join(" "),
      ).toEqual([CLI]);
      const packages = new Set(r.files.flatMap((f) => /node_modules[\\/]((@[^\\/]+[\\/])?[^\\/]+)/.exec(f)?.[1] ?? []));
      expect(packages, args.join(" ")).toContain("better-sqlite3");
      expect(
        [...packages].filter((p) => !SQLITE_PACKAGES.includes(p)),
        args.join(" "),
      ).toEqual([]);
    }
    expect(loadedFiles("--state", state, "get", "VirtualMachine", "web1").stdout).toContain("web1");
  });

  it("holds zod's English messages and none of its other locales", () => {
    const source = readFileSync(BUNDLE, "utf8");
    expect(source).toContain("Invalid input");
    expect(readFileSync(`${BUNDLE}.map`, "utf8")).not.toMatch(/zod[\\/]v4[\\/]locales[\\/](de|fr|ja)\.js/);
  });

  it("runs as before when its code cache is damaged or made from another bundle", () => {
    // A copy of the executable and the bundle beside the real ones, so packages still resolve.
    const dir = mkdtempSync(join(ROOT, "dist", "cli-cache-test-"));
    try {
      for (const file of ["main.js", "polyvisor.js"]) copyFileSync(join(ROOT, "dist", "cli", file), join(dir, file));
      const cache = readFileSync(`${BUNDLE}.cache`);
      const damaged = Buffer.concat([cache.subarray(0, 20), Buffer.alloc(cache.length - 20, 7)]);
      const otherBundle = Buffer.concat([Buffer.alloc(20, 1), cache.subarray(20)]);
      const expected = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
      for (const [label, content] of [
        ["damaged", damaged],
        ["another bundle's", otherBundle],
      ] as const) {
        writeFileSync(join(dir, "polyvisor.js.cache"), content);
        const r = spawnSync(process.execPath, [join(dir, "main.js"), "--help"], { encoding: "utf8" });
        expect([r.status, r.stderr, r.stdout], label).toEqual([0, "", expected.stdout]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs through Node's own loader when source maps are on", () => {
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    const r = spawnSync(process.execPath, ["--enable-source-maps", CLI, "--version"], { encoding: "utf8" });
    expect([r.status, r.stdout.trim(), r.stderr]).toEqual([0, version, ""]);
  });
});
