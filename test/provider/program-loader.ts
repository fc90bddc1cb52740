/**
 * Loads Pulumi programs the way the Pulumi CLI would: compiled TypeScript required by Node from the
 * program's own folder, whose node_modules resolve `polyvisor` to this checkout. (Code transformed by
 * vitest cannot be serialized into a dynamic resource's `__provider`.)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import ts from "typescript";
import { type Runtime, openRuntime } from "../../runtime";
import { makeProjectDir, removeProjectDir } from "../harness/project";
import type { Program } from "../harness/engine";

export const REPO_ROOT = resolve(__dirname, "..", "..");

export interface ProgramFolder {
  dir: string;
  statePath: string;
  /** Compiles a TypeScript program into the folder under `file` and returns its exported function. */
  load(source: string, file?: string): Program;
  remove(): void;
}

/** Reads the runtime state a program's provider wrote, from the test's side. */
export async function readState<T>(statePath: string, read: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime({ path: statePath });
  try {
    return await read(rt);
  } finally {
    await rt.close();
  }
}

export function programFolder(): ProgramFolder {
  const dir = makeProjectDir({ polyvisor: REPO_ROOT });
  const requireHere = createRequire(join(dir, "index.js"));
  return {
    dir,
    statePath: join(dir, ".polyvisor", "state.db"),
    load(source, file = "index.js") {
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      const path = join(dir, file);
      writeFileSync(path, outputText);
      delete requireHere.cache[path];
      return requireHere(path) as Program;
    },
    remove: () => removeProjectDir(dir),
  };
}

export function exampleSource(name: string): string {
  return readFileSync(join(REPO_ROOT, "examples", name, "index.ts"), "utf8");
}
