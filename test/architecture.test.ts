/**
 * The core is pure: it imports only itself, the schemas and zod, and never reaches for time, randomness,
 * files or the network. It reads bottom-up: no import circle between its files, nor between its folders
 * beyond the known ones listed below, which may only go away.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "..");
const core = join(root, "runtime", "core");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Every module a file imports, `import type` and re-exports included: a type-only import ties the layers as much as any. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/\bfrom\s+"([^"]+)"|\bimport\s*\(?\s*"([^"]+)"/g)].map((m) => m[1] ?? m[2]);
}

/** The core file a relative import names, or undefined when it leaves the core. */
function coreTarget(file: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = resolve(dirname(file), spec);
  const target = [`${base}.ts`, join(base, "index.ts")].find((f) => existsSync(f));
  return target?.startsWith(core + sep) ? target : undefined;
}

/** Strongly connected components with more than one member (or a member importing itself): the import circles. */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/**
 * Folder imports (runtime/core/<folder> to another folder) that lie on a circle today. The list may only
 * shrink: the test fails on a new one and on one that no longer exists, so that it is struck off here.
 */
const KNOWN_FOLDER_CIRCLE_IMPORTS = [
  "containers -> ha",
  "containers -> hypervisors",
  "drs -> containers",
  "drs -> ha",
  "drs -> hypervisors",
  "ha -> containers",
  "ha -> drs",
  "hypervisors -> containers",
];

describe("runtime/core layering", () => {
  const files = sources(core);
  const graph = new Map(
    files.map((f) => [
      relative(core, f),
      [...new Set(importsOf(f).flatMap((spec) => coreTarget(f, spec) ?? []))].map((t) => relative(core, t)),
    ]),
  );

  it("has no import circle between files (type-only imports count)", () => {
    expect(graph.size).toBeGreaterThan(10);
    expect(circles(graph).map((c) => c.join(" <-> "))).toEqual([]);
  });

  it("has no import circle between folders but the known ones, which only go away", () => {
    const folderOf = (file: string) => (file.includes(sep) ? file.split(sep)[0] : undefined);
    const folders = new Map<string, Set<string>>();
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      if (from === undefined) continue;
      if (!folders.has(from)) folders.set(from, new Set());
      for (const target of targets) {
        const to = folderOf(target);
        if (to !== undefined && to !== from) folders.get(from)!.add(to);
      }
    }
    const folderGraph = new Map([...folders].map(([folder, targets]) => [folder, [...targets].sort()]));
    const onCircle = circles(folderGraph).flatMap((members) =>
      members.flatMap((from) =>
        folderGraph
          .get(from)!
          .filter((to) => members.includes(to))
          .map((to) => `${from} -> ${to}`),
      ),
    );
    expect(onCircle.sort()).toEqual(KNOWN_FOLDER_CIRCLE_IMPORTS);
  });
});

describe("runtime/core", () => {
  const files = sources(core);

  it("has modules to check", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((f) => [relative(root, f), f]))("%s imports only core, schema and zod", (_name, file) => {
    const text = readFileSync(file, "utf8");
    const imports = [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
    for (const spec of imports) {
      if (spec === "zod") continue;
      expect(spec.startsWith("."), `${spec} is a package import`).toBe(true);
      const target = resolve(file, "..", spec);
      const allowed = target.startsWith(core) || target.startsWith(join(root, "schema"));
      expect(allowed, `${spec} leaves runtime/core`).toBe(true);
    }
    expect(text).not.toMatch(/Date\.now\(|new Date\(|Math\.random\(|process\.|require\(/);
  });
});

/**
 * The shells reach the runtime through its facades only: `runtime/index.ts` (openRuntime and what
 * comes with it) and `runtime/api.ts` (the Runtime interface and its errors); the CLI also through
 * the planning facade and the server it starts (`serve`, `token`). The server is the one shell that
 * owns a state: it runs a LocalRuntime over its store and keeps its tokens there.
 */
const FACADES = ["runtime/index.ts", "runtime/api.ts"];
const SHELL_RULES: { shell: string; may: string[] }[] = [
  { shell: "provider/", may: [...FACADES, "schema/", "provider/"] },
  { shell: "cli/", may: [...FACADES, "runtime/planning/index.ts", "runtime/server/", "schema/", "cli/"] },
  { shell: "runtime/remote/", may: [...FACADES, "runtime/server/routes.ts", "schema/", "runtime/remote/"] },
  { shell: "runtime/server/", may: [...FACADES, "runtime/local-runtime.ts", "runtime/store/", "schema/", "runtime/server/"] },
];

describe("shells", () => {
  const imports = SHELL_RULES.flatMap(({ shell, may }) =>
    sources(join(root, shell)).flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith("."))
        .map((spec) => {
          const base = resolve(dirname(file), spec);
          const target = [`${base}.ts`, join(base, "index.ts")].find((f) => existsSync(f)) ?? base;
          return { from: relative(root, file), to: relative(root, target), may };
        }),
    ),
  );

  it("have imports to check", () => {
    expect(imports.length).toBeGreaterThan(50);
  });

  it("reach the runtime only through its facades", () => {
    const reaching = imports.filter(
      ({ to, may }) => !may.some((allowed) => (allowed.endsWith("/") ? to.startsWith(allowed) : to === allowed)),
    );
    expect(reaching.map(({ from, to }) => `${from} -> ${to}`)).toEqual([]);
  });
});
