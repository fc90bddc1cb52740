/**
 * The two stores behind one interface for the store contract suite: a fresh state, opening it
 * (optionally with a short lock wait), a full dump, holding the write lock from outside, and
 * damaging a row with SQL.
 */
import Database from "better-sqlite3";
import { join } from "node:path";
import { Client } from "pg";
import { type Runtime, openRuntime } from "../../runtime";
import { LocalRuntime } from "../../runtime/local-runtime";
import { PostgresStore } from "../../runtime/store/postgres";
import { SqliteStore } from "../../runtime/store/sqlite";
import type { TestPostgres } from "./postgres";
import { dumpState, tempDir } from "./state-file";

export interface StoreUnderTest {
  name: "SQLite" | "PostgreSQL";
  /** Where a new, empty state lives: a file path or a connection string. */
  fresh(): Promise<string>;
  open(location: string, opts?: { busyTimeoutMs?: number }): Promise<Runtime>;
  dump(location: string): Promise<string>;
  /** Takes the write lock as another writer would and holds it until the returned release is called. */
  holdWriteLock(location: string): Promise<() => Promise<void>>;
  /** Runs SQL on the state from outside (to damage it). */
  exec(location: string, sql: string): Promise<void>;
  cleanup(): Promise<void>;
}

export function sqliteUnderTest(): StoreUnderTest {
  const tmp = tempDir();
  let n = 0;
  /** One read-only connection per file for its dumps: opening one per dump would dominate a fuzz run. */
  const readers = new Map<string, Database.Database>();
  const reader = (path: string) => readers.get(path) ?? readers.set(path, new Database(path, { readonly: true })).get(path)!;
  return {
    name: "SQLite",
    fresh: async () => join(tmp.dir, `state-${n++}.db`),
    open: async (path, opts) =>
      opts?.busyTimeoutMs ? new LocalRuntime(new SqliteStore(path, { seed: 1, busyTimeoutMs: opts.busyTimeoutMs })) : openRuntime({ path }),
    dump: async (path) => dumpState(reader(path)),
    async holdWriteLock(path) {
      const db = new Database(path);
      db.exec("BEGIN IMMEDIATE");
      return async () => {
        db.exec("ROLLBACK");
        db.close();
      };
    },
    async exec(path, sql) {
      const db = new Database(path);
      db.exec(sql);
      db.close();
    },
    cleanup: async () => {
      for (const db of readers.values()) db.close();
      tmp.cleanup();
    },
  };
}

async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export function postgresUnderTest(server: TestPostgres): StoreUnderTest {
  /** One connection per database for its dumps, as for SQLite. */
  const readers = new Map<string, Promise<Client>>();
  const reader = (url: string) => {
    let client = readers.get(url);
    if (!client) {
      const c = new Client({ connectionString: url });
      readers.set(url, (client = c.connect().then(() => c)));
    }
    return client;
  };
  return {
    name: "PostgreSQL",
    fresh: () => server.createDatabase(),
    async open(url, opts) {
      if (!opts?.busyTimeoutMs) return openRuntime({ postgres: url });
      const store = new PostgresStore(url, { seed: 1, busyTimeoutMs: opts.busyTimeoutMs });
      await store.opened();
      return new LocalRuntime(store);
    },
    dump: async (url) => {
      const c = await reader(url);
      const tables = {
        state: "SELECT * FROM state",
        objects: "SELECT * FROM objects ORDER BY kind, name",
        events: "SELECT * FROM events ORDER BY seq",
        schema: "SELECT * FROM polyvisor_schema",
      };
      const out: Record<string, unknown> = {};
      for (const [t, sql] of Object.entries(tables)) out[t] = (await c.query(sql)).rows;
      return JSON.stringify(out);
    },
    async holdWriteLock(url) {
      const client = new Client({ connectionString: url, application_name: "lock holder" });
      await client.connect();
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext('polyvisor:' || current_schema()))");
      return async () => {
        await client.query("ROLLBACK");
        await client.end();
      };
    },
    exec: (url, sql) => withClient(url, async (c) => void (await c.query(sql))),
    // The server outlives one suite: whoever started it stops it.
    cleanup: async () => {
      for (const client of readers.values()) await (await client).end();
    },
  };
}
