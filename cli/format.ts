/** Plain-text tables for terminals: left-aligned text, right-aligned numbers. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells
    .map((r) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd())
    .join("\n");
}

/** "2h", "90s", "1h30m", "15m", "45" (seconds) -> seconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const re = /(\d+(?:\.\d+)?)(d|h|m|s)/gy;
  const unit: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 };
  let total = 0;
  let consumed = 0;
  for (const m of trimmed.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== trimmed.length) throw new UsageError(`not a duration: "${text}" (use e.g. 90s, 15m, 2h, 1h30m)`);
  return total;
}

export function formatSeconds(seconds: number): string {
  // Whole milliseconds first, so that 59.9996 s reads 00:01:00 rather than 00:00:60.
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const [whole, fraction] = String((ms % 60_000) / 1000).split(".");
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${whole.padStart(2, "0")}${fraction ? `.${fraction}` : ""}`;
}

/** Bad usage: exit code 2. */
export class UsageError extends Error {}
