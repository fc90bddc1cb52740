/**
 * The core is pure: it imports only itself, the schemas and zod, and never reaches for time, randomness,
 * files or the network. It reads bottom-up: no import circle between its files or its folders, and each
 * folder imports only folders of its own tier or below (the tiers of docs/architecture.md).
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
 * The core's tiers, bottom-up, as docs/architecture.md draws them. Files at the root of runtime/core
 * (commands, settle, timer handlers, host lifecycle, what-if) are the top. A new folder needs a tier.
 */
const TIERS: readonly (readonly string[])[] = [
  ["kernel"],
  ["cpu", "guests", "history", "hypervisors", "migration", "rules", "storage"],
  ["allocation", "placement"],
  ["containers", "hosts", "vms"],
  ["alarms", "drs", "ha"],
  ["kinds", "(root)"],
];
const tierOf = (folder: string): number => TIERS.findIndex((tier) => tier.includes(folder));

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

  const folderOf = (file: string) => (file.includes(sep) ? file.split(sep)[0] : "(root)");
  const folderImports = [...graph].flatMap(([file, targets]) =>
    targets.map((target) => ({ file, from: folderOf(file), to: folderOf(target) })).filter(({ from, to }) => from !== to),
  );

  it("has no import circle between folders", () => {
    const folderGraph = new Map<string, string[]>();
    for (const { from, to } of folderImports) folderGraph.set(from, [...(folderGraph.get(from) ?? []), to]);
    expect(folderImports.length).toBeGreaterThan(10);
    expect(circles(folderGraph)).toEqual([]);
  });

  it("places every folder in a tier, and imports only from its own tier or below", () => {
    const folders = [...new Set([...graph.keys()].map(folderOf))].sort();
    expect(folders.filter((f) => tierOf(f) < 0)).toEqual([]);
    const upward = folderImports.filter(({ from, to }) => tierOf(to) > tierOf(from)).map(({ file, to }) => `${file} -> ${to}`);
    expect(upward).toEqual([]);
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
