/**
 * The physical servers to consolidate: CSV (header `name,os,arch,cores,mhz,memoryMb,diskGb,
 * cpuPercent,memoryPercent`, more columns allowed, `image` names a raw disk image for P2V) or JSON
 * (an array of the same objects), and optional utilization samples over time (CSV `name,time,
 * cpuPercent,memoryPercent`). Every row is validated; an error names the server, the field and why.
 */
import { z } from "zod";
import { Name } from "../../schema/common";
import { GuestOs } from "../../schema/virtual-machine";
import { refuse } from "../core/kernel/errors";
import { issueField } from "../../schema/issues";

export const INVENTORY_COLUMNS = ["name", "os", "arch", "cores", "mhz", "memoryMb", "diskGb", "cpuPercent", "memoryPercent"] as const;
export const SAMPLE_COLUMNS = ["name", "time", "cpuPercent", "memoryPercent"] as const;

const Percent = z.number().min(0).max(100);

export const Server = z.strictObject({
  name: Name,
  os: GuestOs,
  arch: z.enum(["x86", "x86_64"]),
  cores: z.int().min(1).max(768),
  mhz: z.int().min(100).max(10_000),
  memoryMb: z
    .int()
    .min(4)
    .max(24 * 1024 * 1024),
  diskGb: z.number().min(0).max(1_000_000),
  cpuPercent: Percent,
  memoryPercent: Percent,
  /** A raw disk image of the server (made with dd), imported by P2V. */
  image: z.string().min(1).max(4096).optional(),
});
export type Server = z.infer<typeof Server>;

export const Sample = z.strictObject({ name: Name, time: z.string().min(1).max(64), cpuPercent: Percent, memoryPercent: Percent });
export type Sample = z.infer<typeof Sample>;

/** The most rows a file may hold: bounds memory and the planner's time. */
export const MAX_ROWS = 1_000_000;
const NUMERIC = new Set(["cores", "mhz", "memoryMb", "diskGb", "cpuPercent", "memoryPercent"]);

/** Shortens a value for an error message: never echo an unbounded input. */
export function shown(value: unknown): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/** Splits one CSV line; double quotes may wrap a field and "" inside them is a quote. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') field += line[++i];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

/** Rows of a file, each with where it was written (`FILE line N` or `FILE item N`), for errors. */
export interface Rows {
  rows: unknown[];
  where: string[];
}

/** Rows of a CSV text as objects over the columns the schema knows, numbers converted. */
export function csvRows(text: string, file: string, required: readonly string[], known: readonly string[], kind = "Inventory"): Rows {
  const lines = text
    .split(/\r?\n/)
    .map((line, i) => ({ line, number: i + 1 }))
    .filter(({ line }) => line.trim() !== "" && !line.startsWith("#"));
  if (lines.length === 0) refuse("InvalidSpec", { kind, name: file }, `empty file; the header is ${required.join(",")}`);
  if (lines.length - 1 > MAX_ROWS) refuse("InvalidSpec", { kind, name: file }, `more than ${MAX_ROWS} rows`);
  const header = splitCsvLine(lines[0].line);
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0)
    refuse(
      "InvalidSpec",
      { kind, name: file, field: "header" },
      `missing column(s) ${missing.join(", ")}; the header is ${required.join(",")}`,
    );
  const body = lines.slice(1);
  const rows = body.map(({ line, number }) => {
    const cells = splitCsvLine(line);
    if (cells.length !== header.length) {
      refuse("InvalidSpec", { kind, name: `${file} line ${number}` }, `${cells.length} fields, the header has ${header.length}`);
    }
    const row: Record<string, unknown> = {};
    header.forEach((column, c) => {
      if (!known.includes(column) || (cells[c] === "" && !required.includes(column))) return;
      // A cell that is not a finite number stays text, so the error shows what was written.
      row[column] = NUMERIC.has(column) && cells[c] !== "" && Number.isFinite(Number(cells[c])) ? Number(cells[c]) : cells[c];
    });
    return row;
  });
  return { rows, where: body.map(({ number }) => `${file} line ${number}`) };
}

/** Rows of a JSON text: an array of objects. */
export function jsonRows(text: string, file: string, kind: string, what: string): Rows {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    refuse("InvalidSpec", { kind, name: file }, `not valid JSON: ${shown((e as Error).message)}`);
  }
  if (!Array.isArray(json) || json.length > MAX_ROWS)
    refuse("InvalidSpec", { kind, name: file }, `JSON here is an array of at most ${MAX_ROWS} ${what}`);
  return { rows: json, where: json.map((_, i) => `${file} item ${i + 1}`) };
}

/** Each row validated: an error names the object (or where the row is), the field, where and why. */
export function validated<T>(schema: z.ZodType<T>, { rows, where }: Rows, kind: string): T[] {
  return rows.map((row, i) => {
    const parsed = schema.safeParse(row);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const field = issueField(issue, "row");
    const name = (row as { name?: unknown })?.name;
    const named = typeof name === "string" && Name.safeParse(name).success;
    const value = (row as Record<string, unknown>)?.[String(issue.path[0])];
    refuse(
      "InvalidSpec",
      { kind, name: named ? name : where[i], field },
      `${named ? `${where[i]}: ` : ""}${issue.message}${value === undefined ? "" : ` (got ${shown(value)})`}`,
    );
  });
}

export function refuseDuplicates(names: readonly string[], kind: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) refuse("InvalidSpec", { kind, name, field: "name" }, "listed twice");
    seen.add(name);
  }
}

/** Servers from a CSV or JSON text (JSON when it starts with `[`). */
export function parseInventory(text: string, file: string): Server[] {
  const rows = text.trimStart().startsWith("[")
    ? jsonRows(text, file, "Inventory", "servers")
    : csvRows(text, file, INVENTORY_COLUMNS, [...INVENTORY_COLUMNS, "image"]);
  const servers = validated(Server, rows, "Server");
  if (servers.length === 0) refuse("InvalidSpec", { kind: "Inventory", name: file }, "lists no server");
  refuseDuplicates(
    servers.map((s) => s.name),
    "Server",
  );
  return servers;
}

/** Utilization samples from a CSV text: one row per server and time. */
export function parseSamples(text: string, file: string): Sample[] {
  return validated(Sample, csvRows(text, file, SAMPLE_COLUMNS, SAMPLE_COLUMNS), "Server");
}

/** The value at percentile p (0-100) of a list: nearest rank, so it is always a measured value. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** Each server's samples in the order of the times, which every server must cover exactly. */
export function samplesByServer(
  servers: readonly Server[],
  samples: readonly Sample[],
  file: string,
): { times: string[]; byServer: Map<string, Sample[]> } {
  const known = new Set(servers.map((s) => s.name));
  const times = [...new Set(samples.map((s) => s.time))].sort();
  const byServer = new Map<string, Map<string, Sample>>();
  for (const s of samples) {
    if (!known.has(s.name))
      refuse("InvalidSpec", { kind: "Server", name: s.name, field: "name" }, `has samples in ${shown(file)} but is not in the inventory`);
    let row = byServer.get(s.name);
    if (!row) byServer.set(s.name, (row = new Map()));
    if (row.has(s.time)) refuse("InvalidSpec", { kind: "Server", name: s.name, field: "time" }, `two samples at ${shown(s.time)}`);
    row.set(s.time, s);
  }
  const ordered = new Map<string, Sample[]>();
  for (const server of servers) {
    const row = byServer.get(server.name);
    const missing = times.find((t) => !row?.has(t));
    if (missing !== undefined)
      refuse(
        "InvalidSpec",
        { kind: "Server", name: server.name, field: "time" },
        `no sample at ${shown(missing)}; every server needs one at each time in ${shown(file)}`,
      );
    ordered.set(
      server.name,
      times.map((t) => row!.get(t)!),
    );
  }
  return { times, byServer: ordered };
}
