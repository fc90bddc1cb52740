/**
 * Polyvisor as users install it: the tarball `npm pack` makes, installed by npm into a program laid
 * out like Pulumi's TypeScript template, type-checked under the three module resolutions TypeScript
 * users have, and run as `pulumi up` runs it (Pulumi's real dynamic provider host, over gRPC).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, realpathSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PulumiEngine, type Program } from "../harness/engine";
import { tempDir } from "../support/state-file";
import { REPO_ROOT } from "../provider/program-loader";
import { type PackedTarball, packCheckout } from "./packed-tarball";
import { type InstalledProgram, installTemplateProgram } from "./template-program";

const PRODUCT = ["dist/provider/", "dist/runtime/", "dist/schema/", "dist/cli/", "dist/console/", "docs/"];
const TOP_LEVEL = ["package.json", "README.md", "LICENSE", "CHANGELOG.md"];
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));

let temp: { dir: string; cleanup: () => void };
let tarball: PackedTarball;
let program: InstalledProgram;

beforeAll(() => {
  temp = tempDir("polyvisor-packed-");
  tarball = packCheckout(temp.dir);
  program = installTemplateProgram(join(temp.dir, "program"), tarball.path);
  // Not a timed assertion: the figure is printed for the record (docs/benchmarks.md has the bench).
  console.log(`npm install of the packed tarball into a template program: ${program.installSeconds.toFixed(1)} s`);
}, 600_000);

afterAll(() => temp?.cleanup());

/** Every file a package.json field points at, as a path inside the package. */
function declaredEntries(): string[] {
  const targets = (value: unknown): string[] =>
    typeof value === "string" ? [value] : Object.values(value as Record<string, unknown>).flatMap(targets);
  const typesVersions = Object.values(manifest.typesVersions["*"] as Record<string, string[]>).flat();
  return [manifest.main, manifest.types, ...targets(manifest.bin), ...targets(manifest.exports), ...typesVersions]
    .map((path: string) => path.replace(/^\.\//, ""))
    .filter((path) => path !== "package.json");
}

/** The program's own tsc on its tsconfig, with `args` added; lists the files it read. */
function tsc(args: string[]): { status: number | null; output: string } {
  const tscPath = join(program.dir, "node_modules", "typescript", "bin", "tsc");
  const run = spawnSync(process.execPath, [tscPath, "-p", ".", "--listFiles", ...args], { cwd: program.dir, encoding: "utf8" });
  return { status: run.status, output: run.stdout + run.stderr };
}

// The template's own settings type-check and emit bin/index.js, the JavaScript ts-node would run.
let templateCheck: ReturnType<typeof tsc> | undefined;
const checkAndEmit = () => (templateCheck ??= tsc([]));

describe("the packed package", () => {
  it("holds the product, its types, the docs and the licence, and nothing else", () => {
    expect([tarball.name, tarball.version]).toEqual(["polyvisor", manifest.version]);
    const stray = tarball.files.filter((f) => !TOP_LEVEL.includes(f) && !PRODUCT.some((dir) => f.startsWith(dir)));
    expect(stray).toEqual([]);
    expect(tarball.files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(tarball.files.filter((f) => /(^|\/)(test|bench|tools)\//.test(f) || f.includes(".test."))).toEqual([]);
    for (const file of TOP_LEVEL) expect(tarball.files).toContain(file);
    for (const entry of declaredEntries()) expect(tarball.files, entry).toContain(entry);
    expect(readFileSync(join(REPO_ROOT, "LICENSE"), "utf8")).toContain("Apache License");
  });

  it("ships source maps that carry their sources, so none points at a file the package lacks", () => {
    const installed = join(program.dir, "node_modules", "polyvisor");
    const maps = tarball.files.filter((f) => f.endsWith(".js.map"));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(installed, map), "utf8"));
      expect(sourcesContent?.length, map).toBe(sources.length);
      expect(tarball.files, map).toContain(map.replace(/\.map$/, ""));
    }
    for (const js of tarball.files.filter((f) => f.endsWith(".js"))) {
      const reference = /\/\/# sourceMappingURL=(.+)$/m.exec(readFileSync(join(installed, js), "utf8"))?.[1];
      if (reference) expect(tarball.files, js).toContain(join(js, "..", reference));
    }
  });

  it("installs with one @pulumi/pulumi, shared by the program and the provider", () => {
    const fromProgram = createRequire(join(program.dir, "index.js")).resolve("@pulumi/pulumi");
    const polyvisorDir = realpathSync(join(program.dir, "node_modules", "polyvisor"));
    const fromPolyvisor = createRequire(join(polyvisorDir, "dist", "provider", "index.js")).resolve("@pulumi/pulumi");
    expect(fromPolyvisor).toBe(fromProgram);
    expect(fromProgram.startsWith(join(program.dir, "node_modules", "@pulumi", "pulumi"))).toBe(true);
  });

  it.each([
    ["node10 (Pulumi's template)", []],
    ["node16", ["--noEmit", "--skipLibCheck", "--module", "node16", "--moduleResolution", "node16"]],
    ["bundler", ["--noEmit", "--skipLibCheck", "--module", "preserve", "--moduleResolution", "bundler"]],
  ])(
    "type-checks every public entry under %s resolution",
    (_, args) => {
      const { status, output } = args.length === 0 ? checkAndEmit() : tsc(args);
      expect(output.split("\n").filter((line) => line.includes("error TS"))).toEqual([]);
      expect(status).toBe(0);
      const polyvisorTypes = join(program.dir, "node_modules", "polyvisor", "dist");
      for (const entry of ["provider/index.d.ts", "runtime/index.d.ts", "schema/index.d.ts"]) {
        expect(output).toContain(join(polyvisorTypes, entry));
      }
    },
    180_000,
  );

  it("runs as `pulumi up` runs it, and its CLI reads the same state", async () => {
    expect(checkAndEmit().status).toBe(0);
    const statePath = join(program.dir, ".polyvisor", "state.db");
    const engine = await PulumiEngine.start({ projectDir: program.dir, project: "packed", config: { "polyvisor:statePath": statePath } });
    try {
      const loaded = createRequire(join(program.dir, "index.js"))("./bin/index.js") as Program;
      const up = await engine.up(loaded);
      expect(up.errors).toEqual([]);
      expect(up.steps.map((s) => `${s.op} ${s.urn.split("::").pop()}`).sort()).toEqual([
        "create app1",
        "create esx1",
        "create esx2",
        "create lab",
      ]);
      expect(["esx1", "esx2"]).toContain(up.outputs.appHost);
      expect(up.outputs.appHostInState).toBe(up.outputs.appHost);
      for (const resource of engine.state.values())
        expect(String(resource.inputs.__provider)).toContain('require("polyvisor/provider-impl")');

      const cli = spawnSync(join(program.dir, "node_modules", ".bin", "polyvisor"), ["--state", statePath, "--json", "status"], {
        cwd: program.dir,
        encoding: "utf8",
      });
      expect(cli.stderr).toBe("");
      expect(cli.status).toBe(0);
      expect(cli.stdout).toContain("app1");

      const destroyed = await engine.destroy();
      expect(destroyed.errors).toEqual([]);
      expect(engine.state.size).toBe(0);
    } finally {
      await engine.close();
      rmSync(join(program.dir, ".polyvisor"), { recursive: true, force: true });
    }
  }, 180_000);
});
