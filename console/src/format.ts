/** Numbers and times as the console shows them. */
export function simTime(seconds: number): string {
  const s = Math.floor(seconds);
  const day = Math.floor(s / 86400);
  const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `day ${day}, ${hh}:${mm}:${ss}`;
}

export function mhz(value: number): string {
  return value >= 10000 ? `${(value / 1000).toFixed(1)} GHz` : `${Math.round(value)} MHz`;
}

export function mb(value: number): string {
  return value >= 10240 ? `${(value / 1024).toFixed(1)} GB` : `${Math.round(value)} MB`;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.min(100, Math.max(0, (part / whole) * 100)) : 0;
}
