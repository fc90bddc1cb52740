/** Small helpers for benchmarks: percentiles over samples and a monotonic clock in microseconds. */
export function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[at];
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function header(title: string): void {
  console.log(`\n## ${title}`);
}
