/** The core is pure: it imports only itself, the schemas and zod, and never reaches for time, randomness, files or the network. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(__dirname, "..");
const core = join(root, "runtime", "core");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

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
