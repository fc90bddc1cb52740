/**
 * A short, safe rendering of any value for an error message: inputs may be huge, circular or
 * BigInt, and a message must stay short whatever was sent, so only a prefix is shown.
 */
export const PREVIEW_CHARS = 40;

export function preview(value: unknown, max = PREVIEW_CHARS): string {
  let text: string;
  try {
    text = typeof value === "bigint" ? `${value}n` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Array.isArray(value) ? "[array]" : `[${typeof value}]`;
  }
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

/** A name-like string from the input, clipped for messages to at most `max` characters, the cut said. */
export function clip(text: string, max = 100): string {
  if (text.length <= max) return text;
  const cut = `... (${text.length} characters)`;
  return text.slice(0, Math.max(0, max - cut.length)) + cut;
}
