/**
 * Schema versions of the PostgreSQL store, applied in order at open under an advisory lock; the
 * index + 1 is the version kept in polyvisor_schema. Version 1 is the layout the SQLite store has
 * reached through its own migrations (a PostgreSQL state starts there), plus the revision that last
 * changed each object and a log of removals, so that a process catches up on others' writes by
 * reading only what changed. Version 2 adds the controller lease of servers sharing the datacenter
 * (store/lease.ts) and the lease epoch of the last controller write on the state row. Version 3
 * drops the usage figures from VM rows: a VM's usage is worked out from its host's division when shown.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     revision BIGINT NOT NULL,
     clock_seconds DOUBLE PRECISION NOT NULL,
     random_state BIGINT NOT NULL,
     timers TEXT NOT NULL DEFAULT '[]',
     next_timer_seq BIGINT NOT NULL DEFAULT 0
   );
   CREATE TABLE objects (
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     spec TEXT NOT NULL,
     status TEXT NOT NULL,
     generation BIGINT NOT NULL,
     version BIGINT NOT NULL,
     changed_revision BIGINT NOT NULL,
     PRIMARY KEY (kind, name)
   );
   CREATE INDEX objects_changed_revision ON objects (changed_revision);
   CREATE TABLE removed_objects (
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     revision BIGINT NOT NULL
   );
   CREATE INDEX removed_objects_revision ON removed_objects (revision);
   CREATE TABLE events (
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     time_seconds DOUBLE PRECISION NOT NULL,
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     reason TEXT NOT NULL,
     message TEXT NOT NULL
   );
   CREATE TABLE tokens (
     name TEXT PRIMARY KEY,
     role TEXT NOT NULL,
     hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   );`,
  `CREATE TABLE controller_lease (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     holder TEXT NOT NULL,
     epoch BIGINT NOT NULL,
     expires_at TIMESTAMPTZ NOT NULL
   );
   INSERT INTO controller_lease (id, holder, epoch, expires_at) VALUES (1, '', 0, to_timestamp(0));
   ALTER TABLE state ADD COLUMN lease_epoch BIGINT NOT NULL DEFAULT 0;`,
  `UPDATE objects SET status = (status::jsonb - 'cpuUsedMhz' - 'overheadCpuMhz' - 'memoryUsedMb')::text
     WHERE kind = 'VirtualMachine' AND status::jsonb ? 'cpuUsedMhz';`,
];
