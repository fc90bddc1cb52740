/**
 * PostgreSQL store (node-postgres), for a datacenter shared by several processes and machines. A
 * datacenter is one schema of one database (the connection's search_path). Writers take a
 * transaction-scoped advisory lock of the datacenter, so there is one writer at a time and the
 * revision read after taking it is the latest; readers take no lock (MVCC), reading objects and
 * state in one REPEATABLE READ snapshot. As in the SQLite store, each process keeps the world in
 * memory and reloads it only when the stored revision shows another process wrote since, and every
 * row carries a version checked on update. A server that drives the clock writes through
 * `fencedBy`: each of those writes checks the controller lease in its transaction (postgres-lease.ts).
 */
import { applyCheckedMode } from "./checked-mode";
import { Pool, type PoolClient, types } from "pg";
import { PolyvisorError } from "../core/kernel/errors";
import type { Changes, Kind, RuntimeEvent, RuntimeObject, World } from "../core/kernel/model";
import { createWorld } from "../core/world-setup";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations";
import type { InvariantCheck } from "../core/state-invariants";
import { StateUnusableError } from "./state-error";
import { type ObjectRow, objectOfRow, parseStored } from "./stored-rows";
import { type Store, type TokenRecord, type WriteOptions, type WriteOutcome, isEmpty } from "./store";
import type { LeaseTerm } from "./lease";
import { fenceWrite } from "./postgres-lease";

/** How to repair a row that no longer parses. */
const REPAIR = "restore the database from a backup, or repair or delete that row";

export interface PostgresStoreOptions {
  /** Seed of the random source for a new state; an existing one keeps its own. */
  seed: number;
  /** How long a writer waits for another one's lock, in milliseconds. */
  busyTimeoutMs?: number;
  /**
   * Ends a connection's transaction that waits this long for its client (a stopped process), so its
   * locks do not outlive it; unset: no limit. Servers sharing a datacenter set it.
   */
  idleInTransactionTimeoutMs?: number;
}

/** BIGINT columns as numbers: revisions, sequence numbers and generations stay far below 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === 20 ? (value: string) => Number(value) : types.getTypeParser(oid, format as "text")) as typeof types.getTypeParser,
};

/** The advisory lock key of the datacenter in this connection's schema. */
const LOCK_KEY_SQL = "hashtext('polyvisor:' || current_schema())";

function key(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/** Where a connection string points, without its password, for messages. */
function location(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    return u.toString();
  } catch {
    return "postgres (connection string not shown)";
  }
}

export class PostgresStore implements Store {
  private readonly pool: Pool;
  private readonly where: string;
  private world?: World;
  private revision = -1;
  private readonly versions = new Map<string, number>();
  /** Operations of this store one at a time: the cached world is shared by all of them. */
  private queue: Promise<unknown> = Promise.resolve();
  private ready: Promise<void>;

  constructor(
    url: string,
    private readonly options: PostgresStoreOptions,
  ) {
    applyCheckedMode();
    this.where = location(url);
    const idle = options.idleInTransactionTimeoutMs;
    this.pool = new Pool({
      connectionString: url,
      types: TYPES,
      max: 4,
      application_name: `polyvisor pid ${process.pid}`,
      ...(idle === undefined ? {} : { idle_in_transaction_session_timeout: Math.max(1, Math.round(idle)) }),
    });
    // An idle client's error (the server restarted) surfaces at the next query instead of crashing the process.
    this.pool.on("error", () => undefined);
    // So does a connection lost while a client is checked out: its query fails, the pool drops it, and
    // its error event (which pg emits even then) finds a listener instead of ending the process.
    this.pool.on("connect", (client) => client.on("error", () => undefined));
    this.ready = this.migrate();
    this.ready.catch(() => undefined);
  }

  /** Resolves once the schema is in place; a datacenter that cannot be opened rejects here, with the pool closed. */
  async opened(): Promise<void> {
    try {
      await this.ready;
    } catch (e) {
      await this.pool.end().catch(() => undefined);
      throw e;
    }
  }

  private serially<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => this.ready).then(run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (e) {
      throw new StateUnusableError(
        this.where,
        `cannot connect to PostgreSQL: ${String((e as Error).message).slice(0, 200)}`,
        "check that the server runs and the connection string is right",
      );
    }
  }

  /** Creates or upgrades the schema under the datacenter's lock, with the state row of a new datacenter. */
  private async migrate(): Promise<void> {
    const client = await this.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY_SQL})`);
      await client.query("CREATE TABLE IF NOT EXISTS polyvisor_schema (version INTEGER NOT NULL)");
      const row = (await client.query<{ version: number }>("SELECT version FROM polyvisor_schema")).rows[0];
      const current = row?.version ?? 0;
      if (current > POSTGRES_MIGRATIONS.length) {
        throw new StateUnusableError(
          this.where,
          `the datacenter's schema version ${current} is newer than this polyvisor's (${POSTGRES_MIGRATIONS.length})`,
          "upgrade polyvisor",
        );
      }
      for (const sql of POSTGRES_MIGRATIONS.slice(current)) await client.query(sql);
      if (current === 0) {
        await client.query("INSERT INTO polyvisor_schema (version) VALUES ($1)", [POSTGRES_MIGRATIONS.length]);
        await client.query("INSERT INTO state (id, revision, clock_seconds, random_state) VALUES (1, 0, 0, $1)", [this.options.seed >>> 0]);
      } else if (current < POSTGRES_MIGRATIONS.length) {
        await client.query("UPDATE polyvisor_schema SET version = $1", [POSTGRES_MIGRATIONS.length]);
      }
      await client.query("COMMIT");
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  private async storedRevision(client: PoolClient): Promise<number> {
    const row = (await client.query<{ revision: number }>("SELECT revision FROM state WHERE id = 1")).rows[0];
    if (!row)
      throw new StateUnusableError(
        this.where,
        "the state row (table state, id 1) is missing, so the clock, timers and random source are lost",
        "restore the database from a backup",
      );
    return row.revision;
  }

  /** The world at the stored revision; `client` is inside a transaction that sees one revision throughout. */
  private async sync(client: PoolClient): Promise<World> {
    const revision = await this.storedRevision(client);
    if (revision === this.revision && this.world) return this.world;
    if (this.world && this.revision >= 0 && revision > this.revision) return this.catchUp(client, this.world);
    const state = (await client.query("SELECT revision, clock_seconds, random_state, timers, next_timer_seq FROM state WHERE id = 1"))
      .rows[0];
    const world = createWorld({
      clockSeconds: state.clock_seconds,
      randomState: state.random_state,
      timers: parseStored(this.where, state.timers, "the state row's timers (table state, id 1)", REPAIR),
      nextTimerSeq: state.next_timer_seq,
    });
    this.versions.clear();
    const rows = await client.query<ObjectRow>("SELECT kind, name, spec, status, generation, version FROM objects");
    for (const row of rows.rows) {
      world.put(objectOfRow(this.where, row, REPAIR));
      this.versions.set(key(row.kind, row.name), row.version);
    }
    this.world = world;
    this.revision = state.revision;
    return world;
  }

  /**
   * Brings the cached world from its revision to the stored one by reading only the objects changed
   * and removed since: with many writers on one datacenter, a write no longer pays a full reload.
   */
  private async catchUp(client: PoolClient, world: World): Promise<World> {
    const since = this.revision;
    const state = (await client.query("SELECT revision, clock_seconds, random_state, timers, next_timer_seq FROM state WHERE id = 1"))
      .rows[0];
    const removed = await client.query<{ kind: Kind; name: string }>("SELECT kind, name FROM removed_objects WHERE revision > $1", [since]);
    const rows = await client.query<ObjectRow>(
      "SELECT kind, name, spec, status, generation, version FROM objects WHERE changed_revision > $1",
      [since],
    );
    const puts = rows.rows.map((row) => objectOfRow(this.where, row, REPAIR));
    const meta = {
      clockSeconds: state.clock_seconds,
      randomState: state.random_state,
      timers: parseStored<World["meta"]["timers"]>(this.where, state.timers, "the state row's timers (table state, id 1)", REPAIR),
      nextTimerSeq: state.next_timer_seq,
    };
    world.applyChanges({ puts, removes: removed.rows, events: [], meta });
    for (const r of removed.rows) this.versions.delete(key(r.kind, r.name));
    for (const row of rows.rows) this.versions.set(key(row.kind, row.name), row.version);
    this.revision = state.revision;
    return world;
  }

  private lostUpdate(kind: Kind, name: string): never {
    throw new PolyvisorError("Conflict", { kind, name }, "changed by another writer during this operation; retry");
  }

  private async persist(client: PoolClient, world: World, changes: Changes, term: LeaseTerm | undefined): Promise<void> {
    const revision = this.revision + 1;
    for (const { kind, name } of changes.removes) {
      const done = await client.query("DELETE FROM objects WHERE kind = $1 AND name = $2 AND version = $3", [
        kind,
        name,
        this.versions.get(key(kind, name)) ?? -1,
      ]);
      if (done.rowCount !== 1) this.lostUpdate(kind, name);
      await client.query("INSERT INTO removed_objects (kind, name, revision) VALUES ($1, $2, $3)", [kind, name, revision]);
    }
    for (const obj of changes.puts) await this.persistObject(client, world, obj, revision);
    if (changes.events.length > 0) {
      const values: unknown[] = [];
      const rows = changes.events.map((e, i) => {
        values.push(e.timeSeconds, e.kind, e.name, e.reason, e.message);
        return `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`;
      });
      await client.query(`INSERT INTO events (time_seconds, kind, name, reason, message) VALUES ${rows.join(", ")}`, values);
    }
    const { meta } = changes;
    await client.query(
      "UPDATE state SET revision = revision + 1, clock_seconds = $1, random_state = $2, timers = $3, next_timer_seq = $4, lease_epoch = COALESCE($5, lease_epoch) WHERE id = 1",
      [meta.clockSeconds, meta.randomState, JSON.stringify(meta.timers), meta.nextTimerSeq, term?.epoch ?? null],
    );
  }

  private async persistObject(client: PoolClient, world: World, obj: RuntimeObject, revision: number): Promise<void> {
    const version = this.versions.get(key(obj.kind, obj.name));
    const status = JSON.stringify(obj.status);
    if (version === undefined) {
      await client.query(
        "INSERT INTO objects (kind, name, spec, status, generation, version, changed_revision) VALUES ($1, $2, $3, $4, $5, 1, $6)",
        [obj.kind, obj.name, JSON.stringify(obj.spec), status, obj.generation, revision],
      );
      return;
    }
    const specUnchanged = world.get(obj.kind, obj.name)?.spec === obj.spec;
    const done = specUnchanged
      ? await client.query(
          "UPDATE objects SET status = $1, version = version + 1, changed_revision = $2 WHERE kind = $3 AND name = $4 AND version = $5",
          [status, revision, obj.kind, obj.name, version],
        )
      : await client.query(
          "UPDATE objects SET spec = $1, status = $2, generation = $3, version = version + 1, changed_revision = $4 WHERE kind = $5 AND name = $6 AND version = $7",
          [JSON.stringify(obj.spec), status, obj.generation, revision, obj.kind, obj.name, version],
        );
    if (done.rowCount !== 1) this.lostUpdate(obj.kind, obj.name);
  }

  private remember(world: World, changes: Changes): void {
    for (const { kind, name } of changes.removes) this.versions.delete(key(kind, name));
    for (const obj of changes.puts) {
      const k = key(obj.kind, obj.name);
      this.versions.set(k, (this.versions.get(k) ?? 0) + 1);
    }
    world.applyChanges(changes);
    this.revision++;
  }

  /** Who holds the datacenter's write lock and for how long, from pg_locks and pg_stat_activity. */
  private async describeHolder(client: PoolClient): Promise<string> {
    const row = (
      await client.query<{ pid: number; application_name: string; seconds: number }>(
        `SELECT a.pid, a.application_name, extract(epoch FROM now() - a.xact_start)::float8 AS seconds
           FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.objid = (${LOCK_KEY_SQL})::oid LIMIT 1`,
      )
    ).rows[0];
    return row
      ? `${row.application_name || "a client"} (server pid ${row.pid}), for ${Number(row.seconds).toFixed(1)} s`
      : "another client, which has let go since";
  }

  write<T>(operation: (world: World) => WriteOutcome<T>, options: WriteOptions = {}): Promise<T> {
    return this.writeAs(operation, options);
  }

  /**
   * The store as the clock's driver sees it: each write is refused (Conflict, kind ControllerLease)
   * unless `term()` still holds the controller lease, and records its epoch on the state row.
   */
  fencedBy(term: () => LeaseTerm | undefined): Store {
    return {
      write: (operation, options = {}) => this.writeAs(operation, options, term),
      read: (query) => this.read(query),
      events: (sinceSeq) => this.events(sinceSeq),
      tokens: () => this.tokens(),
      addToken: (token) => this.addToken(token),
      removeToken: (name) => this.removeToken(name),
      inspect: () => this.inspect(),
      // The store is its owner's to close.
      close: async () => {},
    };
  }

  /** A write; with `term`, a controller write fenced by the lease. */
  private writeAs<T>(operation: (world: World) => WriteOutcome<T>, options: WriteOptions, term?: () => LeaseTerm | undefined): Promise<T> {
    return this.serially(async () => {
      const client = await this.connect();
      try {
        await client.query("BEGIN");
        await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.options.busyTimeoutMs ?? 10_000))}`);
        if (options.announce !== undefined)
          await client.query("SELECT set_config('application_name', $1, true)", [`polyvisor pid ${process.pid}: ${options.announce}`]);
        try {
          await client.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY_SQL})`);
        } catch (e) {
          if ((e as { code?: string }).code !== "55P03") throw e;
          await client.query("ROLLBACK");
          const holder = await this.describeHolder(client);
          const waited = ((this.options.busyTimeoutMs ?? 10_000) / 1000).toFixed(1);
          throw new PolyvisorError(
            "Conflict",
            { kind: "State", name: this.where },
            `another writer holds the datacenter's write lock (${holder}); waited ${waited} s for it; retry when it is done`,
          );
        }
        // Under the datacenter's lock, so the lease checked here is the one in force when this write commits.
        const held = term?.();
        if (term) await fenceWrite(client, held);
        const world = await this.sync(client);
        const outcome = operation(world);
        const wrote = !isEmpty(outcome.changes, world.meta);
        try {
          if (wrote) await this.persist(client, world, outcome.changes, held);
          await client.query("COMMIT");
        } catch (e) {
          // Whether a failed commit took effect is unknown: reload at the next call.
          this.revision = -1;
          throw e;
        }
        if (wrote) this.remember(world, outcome.changes);
        return outcome.result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    });
  }

  read<T>(query: (world: World) => T): Promise<T> {
    return this.serially(async () => {
      const client = await this.connect();
      try {
        await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
        const world = await this.sync(client);
        await client.query("COMMIT");
        return query(world);
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    });
  }

  events(sinceSeq: number): Promise<RuntimeEvent[]> {
    return this.serially(async () => {
      const rows = await this.pool.query<{ seq: number; time_seconds: number; kind: Kind; name: string; reason: string; message: string }>(
        "SELECT seq, time_seconds, kind, name, reason, message FROM events WHERE seq > $1 ORDER BY seq",
        [sinceSeq],
      );
      return rows.rows.map((r) => ({
        seq: r.seq,
        timeSeconds: r.time_seconds,
        kind: r.kind,
        name: r.name,
        reason: r.reason,
        message: r.message,
      }));
    });
  }

  tokens(): Promise<TokenRecord[]> {
    return this.serially(
      async () => (await this.pool.query<TokenRecord>('SELECT name, role, hash, created_at AS "createdAt" FROM tokens ORDER BY name')).rows,
    );
  }

  addToken(token: TokenRecord): Promise<boolean> {
    return this.serially(async () => {
      const done = await this.pool.query(
        "INSERT INTO tokens (name, role, hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
        [token.name, token.role, token.hash, token.createdAt],
      );
      return done.rowCount === 1;
    });
  }

  removeToken(name: string): Promise<boolean> {
    return this.serially(async () => (await this.pool.query("DELETE FROM tokens WHERE name = $1", [name])).rowCount === 1);
  }

  /** PostgreSQL keeps its own pages consistent (WAL); what is ours to check is the schema version. */
  inspect(): Promise<InvariantCheck[]> {
    return this.serially(async () => {
      const version = (await this.pool.query<{ version: number }>("SELECT version FROM polyvisor_schema")).rows[0]?.version;
      return [
        { name: "integrity", problems: [] },
        {
          name: "schema",
          problems:
            version === POSTGRES_MIGRATIONS.length ? [] : [`schema version ${version ?? "(none)"}, expected ${POSTGRES_MIGRATIONS.length}`],
        },
      ];
    });
  }

  async close(): Promise<void> {
    await this.queue;
    await this.pool.end();
  }
}
