/**
 * Bundles the `polyvisor` command (cli/main.ts and what it imports) into one CommonJS file,
 * dist/cli/polyvisor.js, and its executable (cli/launch.ts) into dist/cli/main.js in place of the
 * compiler's module of that name, then writes the bundle's V8 code cache (cli/code-cache.ts). A
 * fresh process then reads one file instead of about 300 modules and compiles little of it; zod
 * comes from its ES module build, so the locales the program never uses are left out. Modules the
 * commands load lazily stay lazy (esbuild wraps each one and evaluates it on first use). Native and
 * rarely used packages stay outside the bundle.
 */
import { type Plugin, build } from "esbuild";
import { join, resolve } from "node:path";
import { writeCodeCache } from "../cli/code-cache";

const root = resolve(__dirname, "..", "..");

/** Loaded from node_modules at run time: native code, or only for rare commands (serve, the PostgreSQL store). */
const EXTERNAL = ["better-sqlite3", "pg", "fastify", "@fastify/static", "prom-client", "@pulumi/*", "highs", "polyvisor"];

/**
 * zod exports every locale in `z.locales` (about 300 KB), and that namespace keeps them all in a
 * bundle. The program speaks English (zod's default, which zod imports itself), so the namespace
 * holds English alone here.
 */
const englishOnlyZodLocales: Plugin = {
  name: "english-only-zod-locales",
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";',
      loader: "js",
    }));
  },
};

async function main(): Promise<void> {
  await build({
    entryPoints: { main: join(root, "cli", "launch.ts"), polyvisor: join(root, "cli", "main.ts") },
    outdir: join(root, "dist", "cli"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: EXTERNAL,
    // Class and function names survive bundling (errors and messages may print them).
    keepNames: true,
    // ASCII only (every other character escaped): the executable reads the bundle as Latin-1.
    charset: "ascii",
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: true,
    plugins: [englishOnlyZodLocales],
    logLevel: "warning",
  });
  writeCodeCache();
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
  process.exitCode = 1;
});
