/**
 * SQLite store (better-sqlite3, WAL). Writers from any number of processes are serialized by
 * BEGIN IMMEDIATE; each keeps its world in memory and reloads it only when the stored revision
 * shows another process wrote since. Every row carries a version checked on update, so a lost
 * update is impossible even if the lock were bypassed.
 */
import { applyCheckedMode } from "./checked-mode";
import Database from "better-sqlite3";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { PolyvisorError } from "../core/kernel/errors";
import type { Changes, Kind, NewEvent, RuntimeEvent, RuntimeObject, World } from "../core/kernel/model";
import { createWorld } from "../core/world-setup";
import {
  POLYVISOR_APPLICATION_ID,
  asStateUnusable,
  checkUnmarkedIsOurs,
  existingSidecars,
  inspectStateFile,
  removeNewSidecars,
} from "./sqlite-file";
import { SQLITE_MIGRATIONS } from "./sqlite-migrations";
import type { InvariantCheck } from "../core/state-invariants";
import { StateUnusableError } from "./state-error";
import { type ObjectRow, objectOfRow, parseStored } from "./stored-rows";
import { type Store, type TokenRecord, type WriteOptions, type WriteOutcome, isEmpty } from "./store";
import { describeHolder, leaveWriterNote, removeWriterNote } from "./writer-note";

/** How to repair a row that no longer parses. */
const REPAIR = "restore the file from a backup, or repair or delete that row with the sqlite3 tool";

export interface SqliteStoreOptions {
  /** Seed of the random source for a new state file; an existing file keeps its own state. */
  seed: number;
  /** How long a writer waits for another process's write lock, in milliseconds. */
  busyTimeoutMs?: number;
  /** false: a missing file is refused (StateUnusableError) and nothing is created. Default true. */
  create?: boolean;
}

/**
 * Brings the schema up to date and marks the file as ours, all in one transaction: a failure leaves
 * the file as it was. A file from a newer release is refused before anything is written.
 */
function migrate(db: Database.Database, path: string, seed: number): void {
  const run = db.transaction(() => {
    const versioned = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get() !== undefined;
    const current = versioned ? (db.prepare<[], { version: number }>("SELECT version FROM schema_version").get()?.version ?? 0) : 0;
    if (current > SQLITE_MIGRATIONS.length) {
      throw new StateUnusableError(
        path,
        `was written by a newer polyvisor (state schema ${current}; this release reads up to ${SQLITE_MIGRATIONS.length})`,
        "upgrade polyvisor to use it",
      );
    }
    const marked = db.pragma("application_id", { simple: true }) === POLYVISOR_APPLICATION_ID;
    if (marked && current === SQLITE_MIGRATIONS.length) return;
    if (!marked) db.pragma(`application_id = ${POLYVISOR_APPLICATION_ID}`);
    if (!versioned) db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    SQLITE_MIGRATIONS.slice(current).forEach((sql) => db.exec(sql));
    if (current === 0) {
      db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(SQLITE_MIGRATIONS.length);
      db.prepare("INSERT INTO state (id, revision, clock_seconds, random_state) VALUES (1, 0, 0, ?)").run(seed >>> 0);
    } else if (current < SQLITE_MIGRATIONS.length) {
      db.prepare("UPDATE schema_version SET version = ?").run(SQLITE_MIGRATIONS.length);
    }
  });
  run.immediate();
}

interface StateRow {
  revision: number;
  clock_seconds: number;
  random_state: number;
  timers: string;
  next_timer_seq: number;
}

/** Events per INSERT: most operations emit a handful; SQLite allows 32,766 parameters per statement. */
const EVENT_BATCH = 64;

function key(kind: string, name: string): string {
  return `${kind}/${name}`;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private world!: World;
  private revision = -1;
  /** The stored JSON of the world's timers, and that of a commit in flight. */
  private timersJson = "[]";
  private committingTimersJson = "[]";
  private readonly versions = new Map<string, number>();
  private readonly sql;
  /** INSERT statements for 1..EVENT_BATCH events, prepared on first use: an operation's events go in one statement. */
  private readonly eventInserts: Database.Statement[] = [];

  constructor(path: string, options: SqliteStoreOptions) {
    applyCheckedMode();
    const inMemory = path === ":memory:";
    const file = inMemory ? ({ kind: "absent" } as const) : inspectStateFile(path);
    if (file.kind === "absent" && options.create === false) {
      throw new StateUnusableError(path, "does not exist", "commands that change the state create it; check --state or POLYVISOR_STATE");
    }
    if (file.kind === "empty" && options.create === false) {
      throw new StateUnusableError(path, "is empty: it holds no state yet", "commands that change the state create one in it");
    }
    const sidecars = inMemory ? new Set<string>() : existingSidecars(path);
    let createdDir: string | undefined;
    let db: Database.Database | undefined;
    try {
      if (file.kind === "absent" && !inMemory) createdDir = mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, { timeout: options.busyTimeoutMs ?? 10_000 });
      if (file.kind === "unmarked") checkUnmarkedIsOurs(db, path);
      migrate(db, path, options.seed);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      // Checkpoint the WAL every ~40 MB instead of every 4 MB: a write touches several pages, and
      // frequent checkpoints made every 200th operation pay for copying the log back.
      db.pragma("wal_autocheckpoint = 10000");
    } catch (e) {
      db?.close();
      if (!inMemory) {
        removeNewSidecars(path, sidecars);
        if (file.kind === "absent") rmSync(createdDir ?? path, { recursive: createdDir !== undefined, force: true });
      }
      throw asStateUnusable(path, e);
    }
    this.db = db;
    this.sql = {
      revision: this.db.prepare<[], { revision: number }>("SELECT revision FROM state WHERE id = 1"),
      state: this.db.prepare<[], StateRow>("SELECT revision, clock_seconds, random_state, timers, next_timer_seq FROM state WHERE id = 1"),
      objects: this.db.prepare<[], ObjectRow>("SELECT kind, name, spec, status, generation, version FROM objects ORDER BY kind, name"),
      object: this.db.prepare<[Kind, string], ObjectRow>(
        "SELECT kind, name, spec, status, generation, version FROM objects WHERE kind = ? AND name = ?",
      ),
      insert: this.db.prepare("INSERT INTO objects (kind, name, spec, status, generation, version) VALUES (?, ?, ?, ?, ?, 1)"),
      update: this.db.prepare(
        "UPDATE objects SET spec = ?, status = ?, generation = ?, version = version + 1 WHERE kind = ? AND name = ? AND version = ?",
      ),
      updateStatus: this.db.prepare("UPDATE objects SET status = ?, version = version + 1 WHERE kind = ? AND name = ? AND version = ?"),
      remove: this.db.prepare("DELETE FROM objects WHERE kind = ? AND name = ? AND version = ?"),
      saveState: this.db.prepare(
        "UPDATE state SET revision = revision + 1, clock_seconds = ?, random_state = ?, timers = ?, next_timer_seq = ? WHERE id = 1",
      ),
      events: this.db.prepare<[number], { seq: number; time_seconds: number; kind: Kind; name: string; reason: string; message: string }>(
        "SELECT seq, time_seconds, kind, name, reason, message FROM events WHERE seq > ? ORDER BY seq",
      ),
      tokens: this.db.prepare<[], TokenRecord>("SELECT name, role, hash, created_at AS createdAt FROM tokens ORDER BY name"),
      addToken: this.db.prepare("INSERT INTO tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING"),
      removeToken: this.db.prepare("DELETE FROM tokens WHERE name = ?"),
    };
  }

  /** The file this store opened, to notice it being deleted or replaced under it; undefined in memory. */
  private fileIdentity?: string;

  /**
   * A state file deleted (or replaced) while open would take this runtime's writes into a file
   * nobody can open again, and show reads of a state nobody else sees: the next call fails
   * instead, naming the file. The identity is taken at the first call after opening.
   */
  private checkFileInPlace(): void {
    const path = this.db.name;
    if (this.db.memory) return;
    let identity: string;
    try {
      const stat = statSync(path);
      identity = `${stat.dev}:${stat.ino}`;
    } catch {
      throw new StateUnusableError(
        path,
        "the state file was deleted while this runtime had it open, so this write would be lost",
        "close the runtime and open the state again (a new, empty state), or restore the file from a backup",
      );
    }
    this.fileIdentity ??= identity;
    if (identity !== this.fileIdentity) {
      throw new StateUnusableError(
        path,
        "the state file was replaced by another file while this runtime had it open",
        "close the runtime and open the state again",
      );
    }
  }

  private storedRevision(): number {
    const row = this.sql.revision.get();
    if (!row)
      throw new StateUnusableError(
        this.db.name,
        "the state row (table state, id 1) is missing, so the clock, timers and random source are lost",
        "restore the file from a backup, or export what is left with `polyvisor get` and start a new state",
      );
    return row.revision;
  }

  /** Brings the in-memory world up to the stored revision (a no-op when this process wrote last). */
  private sync(): World {
    const revision = this.storedRevision();
    if (revision === this.revision) return this.world;
    return this.db.inTransaction ? this.reload() : this.db.transaction(() => this.reload())();
  }

  /** Reads the whole world in one transaction, so objects and state belong to the same revision. */
  private reload(): World {
    this.storedRevision();
    const state = this.sql.state.get()!;
    const world = createWorld({
      clockSeconds: state.clock_seconds,
      randomState: state.random_state,
      timers: parseStored(this.db.name, state.timers, "the state row's timers (table state, id 1)", REPAIR),
      nextTimerSeq: state.next_timer_seq,
    });
    this.versions.clear();
    for (const row of this.sql.objects.iterate()) {
      world.put(objectOfRow(this.db.name, row, REPAIR));
      this.versions.set(key(row.kind, row.name), row.version);
    }
    this.world = world;
    this.revision = state.revision;
    this.timersJson = state.timers;
    return world;
  }

  private persist(changes: Changes): void {
    for (const { kind, name } of changes.removes) {
      const k = key(kind, name);
      if (this.sql.remove.run(kind, name, this.versions.get(k) ?? -1).changes !== 1) this.lostUpdate(kind, name);
    }
    for (const obj of changes.puts) this.persistObject(obj);
    this.insertEvents(changes.events);
    const { meta } = changes;
    // Timers change rarely; rewriting them only when they did keeps the common commit small.
    this.committingTimersJson = meta.timers === this.world.meta.timers ? this.timersJson : JSON.stringify(meta.timers);
    this.sql.saveState.run(meta.clockSeconds, meta.randomState, this.committingTimersJson, meta.nextTimerSeq);
  }

  /** Inserts events in order, up to EVENT_BATCH rows per statement. */
  private insertEvents(events: readonly NewEvent[]): void {
    for (let from = 0; from < events.length; from += EVENT_BATCH) {
      const batch = events.slice(from, from + EVENT_BATCH);
      const values: unknown[] = [];
      for (const e of batch) values.push(e.timeSeconds, e.kind, e.name, e.reason, e.message);
      this.eventInsert(batch.length).run(values);
    }
  }

  private eventInsert(rows: number): Database.Statement {
    let statement = this.eventInserts[rows];
    if (!statement) {
      const placeholders = Array.from({ length: rows }, () => "(?, ?, ?, ?, ?)").join(", ");
      this.eventInserts[rows] = statement = this.db.prepare(
        `INSERT INTO events (time_seconds, kind, name, reason, message) VALUES ${placeholders}`,
      );
    }
    return statement;
  }

  private persistObject(obj: RuntimeObject): void {
    const version = this.versions.get(key(obj.kind, obj.name));
    const status = JSON.stringify(obj.status);
    if (version === undefined) {
      this.sql.insert.run(obj.kind, obj.name, JSON.stringify(obj.spec), status, obj.generation);
      return;
    }
    // Most changes are to status only (accounting on hosts, pools, clusters): the spec is the same object.
    const specUnchanged = this.world.get(obj.kind, obj.name)?.spec === obj.spec;
    const result = specUnchanged
      ? this.sql.updateStatus.run(status, obj.kind, obj.name, version)
      : this.sql.update.run(JSON.stringify(obj.spec), status, obj.generation, obj.kind, obj.name, version);
    if (result.changes !== 1) this.lostUpdate(obj.kind, obj.name);
  }

  private lostUpdate(kind: Kind, name: string): never {
    throw new PolyvisorError("Conflict", { kind, name }, "changed by another writer during this operation; retry");
  }

  /** Applies committed changes to the cached world and row versions. */
  private remember(changes: Changes): void {
    for (const { kind, name } of changes.removes) this.versions.delete(key(kind, name));
    for (const obj of changes.puts) {
      const k = key(obj.kind, obj.name);
      this.versions.set(k, (this.versions.get(k) ?? 0) + 1);
    }
    this.world.applyChanges(changes);
    this.timersJson = this.committingTimersJson;
    this.revision++;
  }

  async write<T>(operation: (world: World) => WriteOutcome<T>, options: WriteOptions = {}): Promise<T> {
    this.checkFileInPlace();
    const announce = this.db.memory ? undefined : options.announce;
    let noted = false;
    const transaction = this.db.transaction(() => {
      if (announce !== undefined) {
        leaveWriterNote(this.db.name, announce);
        noted = true;
      }
      const world = this.sync();
      const outcome = operation(world);
      const wrote = !isEmpty(outcome.changes, world.meta);
      if (wrote) this.persist(outcome.changes);
      return { outcome, wrote };
    });
    let committed: { outcome: WriteOutcome<T>; wrote: boolean };
    try {
      committed = this.lockedOrBusy(() => transaction.immediate());
    } finally {
      if (noted) removeWriterNote(this.db.name);
    }
    const { outcome, wrote } = committed;
    if (wrote) this.remember(outcome.changes);
    return outcome.result;
  }

  /**
   * Runs a write transaction; a writer that waited the busy timeout for another one gets a Conflict
   * saying who holds the lock and for how long, not the driver's "database is locked".
   */
  private lockedOrBusy<R>(run: () => R): R {
    try {
      return run();
    } catch (e) {
      if ((e as { code?: unknown }).code !== "SQLITE_BUSY") throw e;
      const waitedMs = Number(this.db.pragma("busy_timeout", { simple: true }));
      throw new PolyvisorError(
        "Conflict",
        { kind: "State", name: this.db.name },
        `another writer holds the state's write lock (${describeHolder(this.db.name)}); waited ${(waitedMs / 1000).toFixed(1)} s for it; retry when it is done`,
      );
    }
  }

  async read<T>(query: (world: World) => T): Promise<T> {
    this.checkFileInPlace();
    return query(this.sync());
  }

  async readObjects<T>(pick: (read: (kind: Kind, name: string) => RuntimeObject | undefined) => T): Promise<T> {
    this.checkFileInPlace();
    if (this.revision >= 0) {
      const world = this.sync();
      return pick((kind, name) => world.get(kind, name));
    }
    // Not loaded yet: the rows alone, in one read transaction, after the same check of the state row as a load makes.
    return this.db.transaction(() => {
      this.storedRevision();
      return pick((kind, name) => {
        const row = this.sql.object.get(kind, name);
        return row && objectOfRow(this.db.name, row, REPAIR);
      });
    })();
  }

  async events(sinceSeq: number): Promise<RuntimeEvent[]> {
    return this.sql.events.all(sinceSeq).map((r) => ({
      seq: r.seq,
      timeSeconds: r.time_seconds,
      kind: r.kind,
      name: r.name,
      reason: r.reason,
      message: r.message,
    }));
  }

  async tokens(): Promise<TokenRecord[]> {
    return this.sql.tokens.all();
  }

  async addToken(token: TokenRecord): Promise<boolean> {
    return this.sql.addToken.run(token.name, token.role, token.hash, token.createdAt).changes === 1;
  }

  async removeToken(name: string): Promise<boolean> {
    return this.sql.removeToken.run(name).changes === 1;
  }

  async inspect(): Promise<InvariantCheck[]> {
    const integrity = this.db.pragma("integrity_check") as { integrity_check: string }[];
    const version = this.db.prepare<[], { version: number }>("SELECT version FROM schema_version").get()?.version;
    return [
      { name: "integrity", problems: integrity.map((r) => r.integrity_check).filter((r) => r !== "ok") },
      {
        name: "schema",
        problems:
          version === SQLITE_MIGRATIONS.length ? [] : [`schema version ${version ?? "(none)"}, expected ${SQLITE_MIGRATIONS.length}`],
      },
    ];
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
