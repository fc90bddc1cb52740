/**
 * The `polyvisor` command users run is one bundled file: a command loads that file and the packages
 * kept outside it (native SQLite), not the compiled modules beside it, and not zod's locales.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { tempDir } from "../support/state-file";

const ROOT = resolve(__dirname, "..", "..");
const CLI = join(ROOT, "dist", "cli", "main.js");
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
    const source = readFileSync(CLI, "utf8");
    expect(source).toContain("Invalid input");
    expect(readFileSync(`${CLI}.map`, "utf8")).not.toMatch(/zod[\\/]v4[\\/]locales[\\/](de|fr|ja)\.js/);
  });
});
