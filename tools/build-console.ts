/**
 * Bundles the console (console/src, TypeScript and uPlot) into dist/console: index.html,
 * console.js and console.css, served by `polyvisor serve` at `/`, plus report.js and report.css,
 * which `polyvisor report` inlines into its self-contained HTML file. Nothing is fetched at run time.
 */
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "..", "..");
const src = join(root, "console");
const out = join(root, "dist", "console");

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { console: join(src, "src", "main.ts"), report: join(src, "src", "report.ts") },
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2022",
    outdir: out,
    legalComments: "inline",
    logLevel: "warning",
  });
  const uplotCss = readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  const ownCss = readFileSync(join(src, "styles.css"), "utf8");
  writeFileSync(join(out, "console.css"), `${uplotCss}\n${ownCss}`);
  writeFileSync(join(out, "report.css"), `${uplotCss}\n${readFileSync(join(src, "report.css"), "utf8")}`);
  copyFileSync(join(src, "index.html"), join(out, "index.html"));
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
  process.exitCode = 1;
});
