/**
 * Generates docs/reference.md from the zod schemas, the single source of truth for every kind's
 * spec: `npm run docs`. A test fails when the committed reference is out of date.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { SPEC_SCHEMAS } from "../schema";
import { renderCliReference } from "./cli-reference";

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  description?: string;
};

const NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$";

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (s.anyOf) return s.anyOf.map(typeOf).join(" or ");
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "values"}`;
  if (s.type === "string" && s.pattern === NAME_PATTERN) return "name";
  if (s.type === "integer" || s.type === "number") {
    const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? `>${s.exclusiveMinimum}` : undefined);
    const hi = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
    const range = lo !== undefined || hi !== undefined ? ` ${lo ?? ""}..${hi ?? ""}` : "";
    return `${s.type}${range}`;
  }
  return String(s.type ?? "value");
}

/** Text safe inside a table cell: a pipe would end the cell, a newline the row. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/**
 * A field's rows. The notes come from `.describe()`: zod's JSON Schema keeps a description given
 * inside or outside `.default()`, `.prefault()` and `.optional()` on the field itself.
 */
function rows(s: JsonSchema, prefix: string, required: boolean): string[] {
  const here: string[] = [];
  if (prefix) {
    const dflt = s.default === undefined ? (required ? "required" : "") : `\`${JSON.stringify(s.default)}\``;
    here.push(`| \`${prefix}\` | ${typeOf(s)} | ${dflt} | ${cell(s.description ?? "")} |`);
  }
  const nested = s.properties ? s : s.type === "array" && s.items?.properties ? s.items : undefined;
  if (!nested?.properties) return here;
  const base = s.type === "array" ? `${prefix}[]` : prefix;
  for (const [key, child] of Object.entries(nested.properties)) {
    here.push(...rows(child, base ? `${base}.${key}` : key, nested.required?.includes(key) ?? false));
  }
  return here;
}

export function renderReference(): string {
  const sections = Object.entries(SPEC_SCHEMAS).map(([kind, schema]) => {
    const json = z.toJSONSchema(schema as z.ZodType, { io: "input", unrepresentable: "any" }) as JsonSchema;
    return [`## ${kind}`, "", "| field | type | default | notes |", "|---|---|---|---|", ...rows(json, "", true)].join("\n");
  });
  return [
    "# Spec reference",
    "",
    "Generated from the zod schemas in `schema/` by `npm run docs`; do not edit by hand.",
    "Every object also has a `name` (letters, digits, `.`, `_`, `-`; a letter or digit first; at most 80).",
    "Fields marked required must be given; the others take the default shown, or stay unset.",
    "",
    ...sections.flatMap((s) => [s, ""]),
    renderCliReference(),
  ].join("\n");
}

if (require.main === module) {
  writeFileSync(join(__dirname, "..", "..", "docs", "reference.md"), renderReference());
}
