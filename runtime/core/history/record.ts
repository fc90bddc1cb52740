/**
 * Utilization history kept in the world as records of an internal kind, one per chunk (series.ts):
 * no store change, and a DRS pass rewrites only its cluster's current chunk. The records are not a
 * public kind: the API reads them through `history` only.
 */
import type { HostRecord, RuntimeObject, World } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { type ChunkShelf, type ClusterHistory, type HistoryChunk, type Tier, chunkPrefix, clusterHistory, recordSample } from "./series";

/** The internal kind of history chunks, outside the public kinds. */
export const HISTORY_KIND = "UtilizationHistory" as RuntimeObject["kind"];

interface Reader {
  get(kind: RuntimeObject["kind"], name: string): RuntimeObject | undefined;
  list(kind: RuntimeObject["kind"]): readonly RuntimeObject[];
}

function namesWithPrefix(reader: Reader, prefix: string): string[] {
  // Chunk names sort by cluster, tier and time, so the list is already in time order.
  return reader.list(HISTORY_KIND).flatMap((r) => (r.name.startsWith(prefix) ? [r.name] : []));
}

function readShelf(reader: Reader): Omit<ChunkShelf, "put" | "remove"> {
  return {
    get: (name) => reader.get(HISTORY_KIND, name)?.status as HistoryChunk | undefined,
    names: (cluster: string, tier: Tier) => namesWithPrefix(reader, chunkPrefix(cluster, tier)),
  };
}

function txnShelf(txn: Txn): ChunkShelf {
  return {
    ...readShelf(txn),
    put: (name, chunk) =>
      void txn.put({ kind: HISTORY_KIND, name, spec: { cluster: chunk.cluster, tier: chunk.tier }, status: chunk, generation: 1 }),
    remove: (name) => txn.remove(HISTORY_KIND, name),
  };
}

/** Records what a DRS pass saw on the cluster's hosts; the pass's time is the clock's. */
export function recordPass(txn: Txn, cluster: string, imbalance: number, targetImbalance: number): void {
  const hosts = txn.relatedObjects<HostRecord>("hostsInCluster", cluster).map((h) => ({
    name: h.name,
    values: {
      cpuUsedMhz: Math.round(h.status.cpuUsedMhz),
      cpuReservedMhz: Math.round(h.status.cpuReservedMhz),
      memoryUsedMb: Math.round(h.status.memoryUsedMb),
      memoryReservedMb: Math.round(h.status.memoryReservedMb),
    },
  }));
  recordSample(txnShelf(txn), cluster, { timeSeconds: txn.clockSeconds, imbalance, targetImbalance, hosts });
}

/** Forgets a deleted cluster's history. */
export function forgetHistory(txn: Txn, cluster: string): void {
  for (const tier of ["raw", "hourly"] as const)
    for (const name of namesWithPrefix(txn, chunkPrefix(cluster, tier))) txn.remove(HISTORY_KIND, name);
}

export interface HistoryQuery {
  /** One cluster; absent: every cluster with history. */
  cluster?: string;
  fromSeconds?: number;
  toSeconds?: number;
}

export function readHistory(world: World, query: HistoryQuery): ClusterHistory[] {
  const shelf = { ...readShelf(world), put: () => {}, remove: () => {} };
  const clusters =
    query.cluster !== undefined ? [query.cluster] : [...new Set(world.list(HISTORY_KIND).map((r) => (r.status as HistoryChunk).cluster))];
  return clusters
    .map((c) => clusterHistory(shelf, c, query.fromSeconds ?? 0, query.toSeconds ?? Infinity))
    .filter((h) => query.cluster !== undefined || h.times.length > 0);
}
