/**
 * Every example's README followed step by step in this checkout, the way a user does it after
 * cloning: the root `npm ci && npm run build` (which CI runs first in its fresh clone, and whose
 * result is checked here), then in the example's folder `pulumi stack init` and `pulumi up` as
 * Pulumi runs them (the program type-checked with the example's tsconfig, its packages resolved
 * from the example's folder, every resource through Pulumi's real dynamic provider host), and the
 * CLI commands the README shows. The one liberty taken: the state file goes to a temporary folder
 * (`polyvisor:statePath`), not into the checkout.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PulumiEngine } from "../harness/engine";
import { REPO_ROOT } from "../provider/program-loader";
import { tempDir } from "../support/state-file";
import { loadInPlace, typeErrors } from "./in-place-program";
import { readmeSteps } from "./readme-steps";

const EXAMPLES = readdirSync(join(REPO_ROOT, "examples")).filter((name) => existsSync(join(REPO_ROOT, "examples", name, "README.md")));
const projectName = (dir: string) => /^name:\s*(\S+)/m.exec(readFileSync(join(dir, "Pulumi.yaml"), "utf8"))![1];
const resolveFrom = (file: string, request: string) => createRequire(file).resolve(request);

let temp: { dir: string; cleanup: () => void };
beforeAll(() => {
  temp = tempDir("polyvisor-examples-");
});
afterAll(() => temp?.cleanup());

describe("the examples' READMEs, followed from the repository root", () => {
  it("the root install links Polyvisor and its build for every example, with one @pulumi/pulumi", () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(6);
    const sdk = resolveFrom(join(REPO_ROOT, "package.json"), "@pulumi/pulumi");
    for (const name of EXAMPLES) {
      const program = join(REPO_ROOT, "examples", name, "index.ts");
      const polyvisor = resolveFrom(program, "polyvisor");
      expect(realpathSync(polyvisor), name).toBe(join(REPO_ROOT, "dist", "provider", "index.js"));
      expect(resolveFrom(program, "@pulumi/pulumi"), name).toBe(sdk);
      expect(resolveFrom(realpathSync(polyvisor), "@pulumi/pulumi"), name).toBe(sdk);
    }
  });

  it("every example type-checks with its own tsconfig, as ts-node checks it at `pulumi up`", () => {
    expect(typeErrors(EXAMPLES.map((name) => join(REPO_ROOT, "examples", name)))).toEqual([]);
  }, 120_000);

  it.each(EXAMPLES)(
    "examples/%s",
    async (name) => {
      const steps = readmeSteps(REPO_ROOT, name);
      expect(steps.slice(0, 2)).toEqual([{ kind: "install" }, { kind: "cd", dir: `examples/${name}` }]);
      const dir = join(REPO_ROOT, "examples", name);
      const statePath = join(temp.dir, name, "state.db");
      let engine: PulumiEngine | undefined;
      let ups = 0;
      try {
        for (const step of steps.slice(2)) {
          switch (step.kind) {
            case "stackInit":
              expect(engine, "one stack per README").toBeUndefined();
              engine = await PulumiEngine.start({
                projectDir: dir,
                project: projectName(dir),
                stack: step.stack,
                config: { "polyvisor:statePath": statePath },
              });
              break;
            case "up": {
              expect(engine, "pulumi up before pulumi stack init").toBeDefined();
              const result = await engine!.up(loadInPlace(dir));
              expect(result.errors).toEqual([]);
              // The first up creates everything; an up with nothing changed creates nothing.
              if (ups++ === 0) expect(result.steps.length).toBeGreaterThan(0);
              expect(
                result.steps.every((s) => s.op === (ups === 1 ? "create" : "same")),
                JSON.stringify(result.steps),
              ).toBe(true);
              break;
            }
            case "cli": {
              const bin = join(REPO_ROOT, "node_modules", ".bin", "polyvisor");
              const run = spawnSync(bin, ["--state", statePath, ...step.args], { cwd: dir, encoding: "utf8" });
              expect(run.stderr).toBe("");
              expect(run.status).toBe(0);
              break;
            }
            default:
              throw new Error(`examples/${name}: step ${JSON.stringify(step)} out of place`);
          }
        }
        expect(ups).toBeGreaterThan(0);
        const destroyed = await engine!.destroy();
        expect(destroyed.errors).toEqual([]);
      } finally {
        await engine?.close();
      }
    },
    180_000,
  );
});
