/**
 * Objects read from a file or stdin for `apply`: YAML or JSON, several documents separated by
 * `---` (kubectl's convention); a document may also be a list. What `get -o yaml` prints can be
 * applied back: status is accepted and ignored, and the generation is kept for `apply --expect-generation`.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { PolyvisorError } from "../runtime/api";
import { KINDS, type Kind } from "../schema";
import { clip, quote } from "./format";
import { UsageError } from "./usage-error";
import { issueField } from "../schema/issues";

/** Files larger than this are refused before parsing: manifests are text an operator writes. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

const ManifestObject = z.strictObject({
  kind: z.enum(KINDS),
  name: z.string().min(1).max(253),
  spec: z.record(z.string(), z.unknown()),
  status: z.unknown().optional(),
  generation: z.int().min(0).optional(),
});

export interface ManifestEntry {
  kind: Kind;
  name: string;
  spec: Record<string, unknown>;
  /** The generation the object had when it was read (`get -o yaml` writes it). */
  generation?: number;
}

/** The whole of a file, or of stdin for "-". */
export function readInput(file: string): string {
  let text: Buffer;
  try {
    text = readFileSync(file === "-" ? 0 : file);
  } catch (e) {
    throw new UsageError(
      `cannot read ${file === "-" ? "stdin" : quote(file)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (text.length > MAX_MANIFEST_BYTES)
    throw new UsageError(`${file === "-" ? "stdin" : quote(file)} is larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MB`);
  return text.toString("utf8");
}

export function parseManifest(text: string, source: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  // Loaded here rather than at startup: only apply reads YAML.
  const { parseAllDocuments } = require("yaml") as typeof import("yaml");
  parseAllDocuments(text).forEach((doc, d) => {
    if (!("errors" in doc)) return;
    const error = doc.errors[0];
    if (error) throw new UsageError(`${source}: document ${d + 1}: ${clip(error.message.split("\n")[0], 200)}`);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    (Array.isArray(value) ? value : [value]).forEach((item, i) => {
      const parsed = ManifestObject.safeParse(item);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = Array.isArray(value) ? `document ${d + 1}, item ${i + 1}` : `document ${d + 1}`;
        const o = (item ?? {}) as { kind?: unknown; name?: unknown };
        const subject = {
          kind: typeof o.kind === "string" ? o.kind : "object",
          name: typeof o.name === "string" ? o.name : `(${where})`,
          field: issueField(issue, "object"),
        };
        throw new PolyvisorError("InvalidSpec", subject, `${source}, ${where}: ${issue.message}`);
      }
      const { kind, name, spec, generation } = parsed.data;
      entries.push({ kind, name, spec, ...(generation === undefined ? {} : { generation }) });
    });
  });
  if (entries.length === 0) throw new UsageError(`${source}: no objects (each needs kind, name and spec)`);
  return entries;
}
