/** Schema versions of the SQLite store, applied in order; the index + 1 is the version number. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     revision INTEGER NOT NULL,
     clock_seconds REAL NOT NULL,
     random_state INTEGER NOT NULL
   );
   CREATE TABLE objects (
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     spec TEXT NOT NULL,
     status TEXT NOT NULL,
     generation INTEGER NOT NULL,
     version INTEGER NOT NULL,
     PRIMARY KEY (kind, name)
   ) WITHOUT ROWID;
   CREATE TABLE events (
     seq INTEGER PRIMARY KEY,
     time_seconds REAL NOT NULL,
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     reason TEXT NOT NULL,
     message TEXT NOT NULL
   );`,
  // Simulated-time work pending in the world: DRS passes, failure detection, migrations in flight.
  `ALTER TABLE state ADD COLUMN timers TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE state ADD COLUMN next_timer_seq INTEGER NOT NULL DEFAULT 0;`,
];
