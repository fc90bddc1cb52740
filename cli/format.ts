/** Plain text for terminals: tables that fit the width, durations, short quotes of user input. */
import { MAX_ADVANCE_SECONDS } from "../schema/common";
import { outputWidth } from "./output";
import { UsageError } from "./usage-error";

const ELLIPSIS = "…";
/** Text columns are never squeezed below this, so a truncated cell still says something. */
const MIN_COLUMN = 6;
const GAP = "  ";

/** At most `max` characters of `text`, the cut marked with an ellipsis. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, Math.max(0, max - 1)) + ELLIPSIS;
}

/** A value from the user, quoted and cut short: error messages stay bounded whatever was typed. */
export function quote(value: string): string {
  return JSON.stringify(clip(value, 40));
}

/**
 * Left-aligned text, right-aligned numbers. Given a width, the widest text columns are narrowed
 * (their cells end in an ellipsis) until each line fits; numbers are never cut. Full values are in
 * --json and `get`.
 */
export function table(headers: string[], rows: (string | number)[][], width = outputWidth()): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  if (width !== undefined) fitColumns(widths, numeric, width - GAP.length * (headers.length - 1));
  return cells
    .map((r) =>
      r
        .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : clip(c, widths[i]).padEnd(widths[i])))
        .join(GAP)
        .trimEnd(),
    )
    .join("\n");
}

/** Narrows the widest text column, one character at a time, until the columns fit `room`. */
function fitColumns(widths: number[], numeric: boolean[], room: number): void {
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > room) {
    let widest = -1;
    widths.forEach((w, i) => {
      if (!numeric[i] && w > MIN_COLUMN && (widest < 0 || w > widths[widest])) widest = i;
    });
    if (widest < 0) return;
    widths[widest]--;
    total--;
  }
}

const UNIT_SECONDS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };

/** "90s", "15m", "2h", "1d", "1w", "1h30m", "45" (seconds) -> seconds, within MAX_ADVANCE_SECONDS. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed.startsWith("-")) throw new UsageError(`negative duration ${quote(text)}: the simulated clock only moves forward`);
  let total = 0;
  if (/^\d+(\.\d+)?$/.test(trimmed)) total = Number(trimmed);
  else {
    let consumed = 0;
    for (const m of trimmed.matchAll(/(\d+(?:\.\d+)?)(w|d|h|m|s)/gy)) {
      total += Number(m[1]) * UNIT_SECONDS[m[2]];
      consumed += m[0].length;
    }
    if (consumed === 0 || consumed !== trimmed.length)
      throw new UsageError(`not a duration: ${quote(text)} (use e.g. 90s, 15m, 2h, 1h30m, 1d, 1w)`);
  }
  if (total > MAX_ADVANCE_SECONDS) {
    throw new UsageError(
      `${quote(text)} is longer than the ${MAX_ADVANCE_SECONDS / 86_400} days one advance may cover (MAX_ADVANCE_SECONDS); advance in several steps`,
    );
  }
  return total;
}

/** 01:30:00, or 3d 04:25:00 past a day. */
export function formatSeconds(seconds: number): string {
  // Whole milliseconds first, so that 59.9996 s reads 00:01:00 rather than 00:00:60.
  const ms = Math.round(seconds * 1000);
  const d = Math.floor(ms / 86_400_000);
  const h = Math.floor((ms % 86_400_000) / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const [whole, fraction] = String((ms % 60_000) / 1000).split(".");
  const clock = `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${whole.padStart(2, "0")}${fraction ? `.${fraction}` : ""}`;
  return d > 0 ? `${d}d ${clock}` : clock;
}

export { UsageError };
