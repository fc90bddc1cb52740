/**
 * The persistence boundary. A store owns the world's durable copy and serializes writers: every
 * write runs on the freshest world under the store's write lock and persists all of its changes
 * in one transaction, or nothing.
 */
import type { Changes, Kind, RuntimeEvent, RuntimeObject, World } from "../core/kernel/model";
import type { InvariantCheck } from "../core/state-invariants";

export interface WriteOutcome<T> {
  changes: Changes;
  result: T;
}

/** A server's API token as stored: only a hash of the secret, never the secret itself. */
export interface TokenRecord {
  name: string;
  role: "viewer" | "operator" | "admin";
  /** Hex SHA-256 of the token. */
  hash: string;
  /** ISO 8601 wall-clock time of creation. */
  createdAt: string;
}

export interface WriteOptions {
  /**
   * Says what a long write is ("advance 3600 s"), so that a writer kept waiting for the lock is told
   * who holds it and for how long. Short writes do not announce themselves.
   */
  announce?: string;
}

export interface Store {
  write<T>(operation: (world: World) => WriteOutcome<T>, options?: WriteOptions): Promise<T>;
  read<T>(query: (world: World) => T): Promise<T>;
  /**
   * A few objects as stored, as of one moment: `pick` reads them one by one. A store that can reads
   * them from their rows while it has not loaded the world (a fresh process answering one `get` need
   * not load 10,000 objects), else from the world.
   */
  readObjects?<T>(pick: (read: (kind: Kind, name: string) => RuntimeObject | undefined) => T): Promise<T>;
  events(sinceSeq: number): Promise<RuntimeEvent[]>;
  /** API tokens of a server over this state, by name. */
  tokens(): Promise<TokenRecord[]>;
  /** Adds a token; false (and nothing changed) when the name is taken. */
  addToken(token: TokenRecord): Promise<boolean>;
  /** Removes a token; false when there was none of that name. */
  removeToken(name: string): Promise<boolean>;
  /** The storage's own checks: integrity of the file or database, and its schema version. */
  inspect(): Promise<InvariantCheck[]>;
  close(): Promise<void>;
}

export function isEmpty(changes: Changes, before: World["meta"]): boolean {
  return (
    changes.puts.length === 0 &&
    changes.removes.length === 0 &&
    changes.events.length === 0 &&
    changes.meta.clockSeconds === before.clockSeconds &&
    changes.meta.randomState === before.randomState &&
    changes.meta.timers === before.timers
  );
}
