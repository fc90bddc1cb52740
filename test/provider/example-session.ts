/**
 * An example project driven as `pulumi up` drives it: a throwaway program folder, Pulumi's real
 * dynamic provider host behind the engine emulator, and the example's source, as is or edited.
 */
import type { Runtime } from "../../runtime";
import { PulumiEngine, type Program, type RunResult } from "../harness/engine";
import { type ProgramFolder, exampleSource, programFolder, readState } from "./program-loader";

export const nameOf = (urn: string) => urn.split("::").pop()!;
/** "create web", "update db", ... sorted. */
export const steps = (r: RunResult) => r.steps.map((s) => `${s.op} ${nameOf(s.urn)}`).sort();
export const changedSteps = (r: RunResult) => steps(r).filter((s) => !s.startsWith("same"));
export const methods = (r: RunResult) => [...new Set(r.rpcs.map((c) => c.method))].sort();

export interface ExampleSession {
  folder: ProgramFolder;
  engine: PulumiEngine;
  /** The example's program as written. */
  program(): Program;
  /** The example with `from` replaced by `to`, to play the user's edits. */
  edited(from: string, to: string): Program;
  /** Reads the runtime's state file directly, beside the provider. */
  runtimeView<T>(read: (rt: Runtime) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startExample(example: string, config: Record<string, string> = {}): Promise<ExampleSession> {
  const folder = programFolder();
  const engine = await PulumiEngine.start({
    projectDir: folder.dir,
    project: example,
    config: { "polyvisor:statePath": folder.statePath, ...config },
  });
  let edits = 0;
  return {
    folder,
    engine,
    program: () => folder.load(exampleSource(example)),
    edited(from, to) {
      const source = exampleSource(example);
      if (!source.includes(from)) throw new Error(`the example no longer contains ${from}`);
      return folder.load(source.replace(from, to), `edited-${++edits}.js`);
    },
    runtimeView: (read) => readState(folder.statePath, read),
    async close() {
      await engine.close();
      folder.remove();
    },
  };
}
