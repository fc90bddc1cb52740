/**
 * The bundled command (dist/cli/polyvisor.js) run from V8's code cache: the build runs the bundle's
 * module body and defines its commands once, keeps the compiled code V8 hands back
 * (polyvisor.js.cache), and a fresh process starts from it instead of compiling the bundle again.
 * The cache opens with a digest of the bundle it was made from and is used only for that bundle; V8
 * itself ignores a cache from another V8 release or other flags, and the bundle is then compiled as
 * usual.
 */
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Script } from "node:vm";

type Cli = typeof import("./main");
type ModuleWrapper = (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;

const BUNDLE = join(__dirname, "polyvisor.js");
const CODE_CACHE = `${BUNDLE}.cache`;
const DIGEST_BYTES = 20;

function digest(bundle: Buffer): Buffer {
  return createHash("sha1").update(bundle).digest();
}

/**
 * The bundle's source. esbuild writes ASCII (it escapes every other character), which the build
 * checks, so the bytes are read as Latin-1: the same text without decoding UTF-8.
 */
function sourceOf(bundle: Buffer): string {
  return bundle.toString("latin1");
}

/** The bundle's source and, when the cache beside it was made from that bundle, the cached code. */
function readBundle(): { source: string; cachedData?: Buffer } {
  const bundle = readFileSync(BUNDLE);
  const source = sourceOf(bundle);
  let cache: Buffer;
  try {
    cache = readFileSync(CODE_CACHE);
  } catch {
    return { source };
  }
  const fits = cache.length > DIGEST_BYTES && digest(bundle).equals(cache.subarray(0, DIGEST_BYTES));
  return fits ? { source, cachedData: cache.subarray(DIGEST_BYTES) } : { source };
}

/** The bundle as a CommonJS module's function; its "#!" line is commented out so every line stays where the source map has it. */
function compile(source: string, cachedData?: Buffer): Script {
  const body = source.replace(/^#!/, "//");
  return new Script(`(function (exports, require, module, __filename, __dirname) {${body}\n})`, { filename: BUNDLE, cachedData });
}

/** Runs the bundle's module body (the program's definitions; no command runs) and returns its exports. */
function evaluate(script: Script): Cli {
  const module = { exports: {} };
  (script.runInThisContext() as ModuleWrapper).call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return module.exports as Cli;
}

/** The bundled command, from the code cache when it fits. */
export function loadCli(): Cli {
  // Node maps stack traces (node --enable-source-maps) only in modules it loads itself.
  if (process.sourceMapsEnabled) return require(BUNDLE) as Cli;
  const { source, cachedData } = readBundle();
  return evaluate(compile(source, cachedData));
}

/** Writes the cache for the bundle as it is now (the build's last step). */
export function writeCodeCache(): void {
  rmSync(CODE_CACHE, { force: true });
  const bundle = readFileSync(BUNDLE);
  const wide = bundle.findIndex((byte) => byte > 0x7f);
  if (wide >= 0) throw new Error(`${BUNDLE} holds a byte beyond ASCII at offset ${wide}: it would not read back as Latin-1`);
  const script = compile(sourceOf(bundle));
  // Defining the commands compiles what every command's start runs, so the cache holds that code too.
  evaluate(script).buildProgram();
  writeFileSync(CODE_CACHE, Buffer.concat([digest(bundle), script.createCachedData()]));
}
