/**
 * Utilization history as bounded time series, pure: a point per DRS pass (each host's CPU and
 * memory used and reserved, the cluster's imbalance and its target) kept at full resolution for a
 * day, and as hourly means for 35 days. Points live in chunks (an hour of passes, a day of hourly
 * means) so that a pass rewrites one small chunk, not the whole history; a raw hour is averaged
 * into its day's chunk when the first pass of the next hour opens a new one. Sizes are bounded by
 * retention: a month of 5-minute passes on 96 hosts is about 3 MB of JSON.
 */
import { compareNames } from "../kernel/model";

export const HOST_METRICS = ["cpuUsedMhz", "cpuReservedMhz", "memoryUsedMb", "memoryReservedMb"] as const;
export type HostMetric = (typeof HOST_METRICS)[number];
/** One host's values, aligned with the chunk's times; null where the host was not in the cluster. */
export type HostSeries = Record<HostMetric, (number | null)[]>;

export const HOUR = 3600;
export const DAY = 24 * HOUR;
/** Tiers: how long a chunk spans and how long chunks are kept after their span ends. */
export const TIERS = {
  raw: { chunkSeconds: HOUR, retentionSeconds: DAY },
  hourly: { chunkSeconds: DAY, retentionSeconds: 35 * DAY },
} as const;
export type Tier = keyof typeof TIERS;

export interface HistoryChunk {
  cluster: string;
  tier: Tier;
  startSeconds: number;
  times: number[];
  imbalance: number[];
  targetImbalance: number[];
  hosts: Record<string, HostSeries>;
}

/** What one DRS pass saw. */
export interface PassSample {
  timeSeconds: number;
  imbalance: number;
  targetImbalance: number;
  hosts: { name: string; values: Record<HostMetric, number> }[];
}

/** Where chunks are kept: the world through an operation (record.ts) or a plain map in tests. */
export interface ChunkShelf {
  get(name: string): HistoryChunk | undefined;
  put(name: string, chunk: HistoryChunk): void;
  remove(name: string): void;
  /** Names of the cluster's chunks of a tier, oldest first. */
  names(cluster: string, tier: Tier): string[];
}

/** Chunk names sort by cluster, tier, then time (start padded to 12 digits, enough for 30,000 years). */
export function chunkName(cluster: string, tier: Tier, startSeconds: number): string {
  return `${cluster}:${tier}:${String(startSeconds).padStart(12, "0")}`;
}

export function chunkPrefix(cluster: string, tier: Tier): string {
  return `${cluster}:${tier}:`;
}

function emptyChunk(cluster: string, tier: Tier, startSeconds: number): HistoryChunk {
  return { cluster, tier, startSeconds, times: [], imbalance: [], targetImbalance: [], hosts: {} };
}

const nulls = (n: number): null[] => new Array<null>(n).fill(null);

function emptySeries(length: number): HostSeries {
  return { cpuUsedMhz: nulls(length), cpuReservedMhz: nulls(length), memoryUsedMb: nulls(length), memoryReservedMb: nulls(length) };
}

/** A copy of the chunk with the point appended, or put in place of a last point at the same time. */
function withPoint(
  chunk: HistoryChunk,
  time: number,
  imbalance: number,
  target: number,
  hosts: ReadonlyMap<string, Record<HostMetric, number | null>>,
): HistoryChunk {
  const replace = chunk.times.length > 0 && chunk.times[chunk.times.length - 1] === time;
  const at = replace ? chunk.times.length - 1 : chunk.times.length;
  // concat sizes the new array to its length; a spread leaves room to grow (34 slots for 12 values),
  // which every kept series of a day of passes would hold.
  const set = <T>(values: readonly T[], value: T): T[] => values.slice(0, at).concat([value]);
  const names = [...new Set([...Object.keys(chunk.hosts), ...hosts.keys()])].sort(compareNames);
  const out: Record<string, HostSeries> = {};
  for (const name of names) {
    const series = chunk.hosts[name] ?? emptySeries(at);
    const values = hosts.get(name);
    out[name] = Object.fromEntries(
      HOST_METRICS.map((m) => [
        m,
        set(series[m].length < at ? series[m].concat(nulls(at - series[m].length)) : series[m], values?.[m] ?? null),
      ]),
    ) as HostSeries;
  }
  return {
    ...chunk,
    times: set(chunk.times, time),
    imbalance: set(chunk.imbalance, imbalance),
    targetImbalance: set(chunk.targetImbalance, target),
    hosts: out,
  };
}

const mean = (values: readonly (number | null)[]): number | null => {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((s, v) => s + v, 0) / present.length;
};
const roundTo = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The hourly point of a raw chunk: every figure's mean over the hour, stamped with the hour's start. */
function hourlyPoint(raw: HistoryChunk): { imbalance: number; target: number; hosts: Map<string, Record<HostMetric, number | null>> } {
  const hosts = new Map<string, Record<HostMetric, number | null>>();
  for (const [name, series] of Object.entries(raw.hosts)) {
    const means = HOST_METRICS.map((m) => [m, mean(series[m])] as const);
    hosts.set(name, Object.fromEntries(means.map(([m, v]) => [m, v === null ? null : Math.round(v)])) as Record<HostMetric, number | null>);
  }
  return { imbalance: roundTo(mean(raw.imbalance) ?? 0, 4), target: roundTo(mean(raw.targetImbalance) ?? 0, 4), hosts };
}

/** Averages a finished raw hour into its day's hourly chunk. */
function downsample(shelf: ChunkShelf, raw: HistoryChunk): void {
  if (raw.times.length === 0) return;
  const dayStart = Math.floor(raw.startSeconds / DAY) * DAY;
  const name = chunkName(raw.cluster, "hourly", dayStart);
  const day = shelf.get(name) ?? emptyChunk(raw.cluster, "hourly", dayStart);
  const point = hourlyPoint(raw);
  shelf.put(name, withPoint(day, raw.startSeconds, point.imbalance, point.target, point.hosts));
}

/** Drops the chunks whose span ended longer ago than their tier keeps. */
function prune(shelf: ChunkShelf, cluster: string, now: number): void {
  for (const tier of Object.keys(TIERS) as Tier[]) {
    const { chunkSeconds, retentionSeconds } = TIERS[tier];
    for (const name of shelf.names(cluster, tier)) {
      const chunk = shelf.get(name)!;
      if (chunk.startSeconds + chunkSeconds + retentionSeconds > now) break;
      shelf.remove(name);
    }
  }
}

/** Records one pass: appends to the current raw hour, closing (downsampling) the previous hour first. */
export function recordSample(shelf: ChunkShelf, cluster: string, sample: PassSample): void {
  const hourStart = Math.floor(sample.timeSeconds / HOUR) * HOUR;
  const name = chunkName(cluster, "raw", hourStart);
  let chunk = shelf.get(name);
  if (!chunk) {
    const previous = shelf.names(cluster, "raw").at(-1);
    if (previous !== undefined) downsample(shelf, shelf.get(previous)!);
    chunk = emptyChunk(cluster, "raw", hourStart);
  }
  const hosts = new Map(sample.hosts.map((h) => [h.name, h.values]));
  shelf.put(name, withPoint(chunk, sample.timeSeconds, sample.imbalance, sample.targetImbalance, hosts));
  prune(shelf, cluster, sample.timeSeconds);
}

/** A cluster's series over a time range: hourly means where the raw points have been dropped, raw points after. */
export interface ClusterHistory {
  cluster: string;
  times: number[];
  imbalance: number[];
  targetImbalance: number[];
  hosts: Record<string, HostSeries>;
}

export function clusterHistory(shelf: ChunkShelf, cluster: string, fromSeconds: number, toSeconds: number): ClusterHistory {
  const raw = shelf.names(cluster, "raw").map((n) => shelf.get(n)!);
  const rawFrom = raw.length > 0 ? raw[0].startSeconds : Infinity;
  const hourly = shelf.names(cluster, "hourly").map((n) => shelf.get(n)!);
  const points: { chunk: HistoryChunk; i: number }[] = [];
  for (const chunk of hourly) chunk.times.forEach((t, i) => t < rawFrom && points.push({ chunk, i }));
  for (const chunk of raw) chunk.times.forEach((_, i) => points.push({ chunk, i }));
  const kept = points.filter(({ chunk, i }) => chunk.times[i] >= fromSeconds && chunk.times[i] <= toSeconds);
  const hostNames = [...new Set(kept.flatMap(({ chunk }) => Object.keys(chunk.hosts)))].sort(compareNames);
  const hosts: Record<string, HostSeries> = {};
  for (const host of hostNames) {
    hosts[host] = Object.fromEntries(
      HOST_METRICS.map((m) => [m, kept.map(({ chunk, i }) => chunk.hosts[host]?.[m][i] ?? null)]),
    ) as HostSeries;
  }
  return {
    cluster,
    times: kept.map(({ chunk, i }) => chunk.times[i]),
    imbalance: kept.map(({ chunk, i }) => chunk.imbalance[i]),
    targetImbalance: kept.map(({ chunk, i }) => chunk.targetImbalance[i]),
    hosts,
  };
}
