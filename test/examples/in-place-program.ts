/**
 * An example's program compiled and loaded the way `pulumi up` runs a TypeScript program (ts-node):
 * type-checked with the example's own tsconfig and run as `<example>/index.ts`, so its imports
 * resolve from the example's folder; nothing is written into the checkout.
 */
import { readFileSync } from "node:fs";
import Module from "node:module";
import { dirname, join } from "node:path";
import ts from "typescript";
import type { Program } from "../harness/engine";

interface ModuleInternals {
  paths: string[];
  _compile(code: string, filename: string): void;
}
type ModuleStatics = { _nodeModulePaths(dir: string): string[] };

/** Type errors of the examples' programs under their own tsconfig files, one TypeScript program per set of options. */
export function typeErrors(exampleDirs: string[]): string[] {
  const groups = new Map<string, { options: ts.CompilerOptions; files: string[] }>();
  for (const dir of exampleDirs) {
    const configPath = join(dir, "tsconfig.json");
    const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir, { noEmit: true }, configPath);
    const key = JSON.stringify(config.compilerOptions);
    const group = groups.get(key) ?? { options: parsed.options, files: [] };
    group.files.push(...parsed.fileNames);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap(({ options, files }) =>
    ts
      .getPreEmitDiagnostics(ts.createProgram(files, options))
      .map((d) => `${d.file?.fileName ?? "tsconfig"}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`),
  );
}

export function loadInPlace(exampleDir: string): Program {
  const file = join(exampleDir, "index.ts");
  const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: file,
  });
  const program = new Module(file) as Module & ModuleInternals;
  program.filename = file;
  program.paths = (Module as unknown as ModuleStatics)._nodeModulePaths(dirname(file));
  program._compile(outputText, file);
  return program.exports as Program;
}
