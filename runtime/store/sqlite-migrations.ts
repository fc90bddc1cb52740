import { HYPERVISOR_VERSIONS } from "../../schema/host";

/** Each hypervisor's default release, as SQL: what a host stored before releases were modelled runs. */
const DEFAULT_RELEASE_SQL = `CASE json_extract(spec, '$.hypervisor') ${Object.entries(HYPERVISOR_VERSIONS)
  .map(([hypervisor, [first]]) => `WHEN '${hypervisor}' THEN '${first}'`)
  .join(" ")} END`;

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
  // Hypervisor releases, overhead, migrations in flight, P2V and ISO fields: statuses written before
  // get the values that describe them (no CPU overhead was charged, no migration is under way).
  `UPDATE objects SET status = json_insert(status, '$.hypervisorVersion', ${DEFAULT_RELEASE_SQL})
     WHERE kind = 'Host';
   UPDATE objects SET status = json_insert(status,
       '$.virtualizationReason', json('null'), '$.paging', json('null'), '$.overheadCpuPercent', 0, '$.overheadCpuMhz', 0,
       '$.overheadCpuReservedMhz', 0, '$.migration', json('null'), '$.importedDisks', json('[]'), '$.cdrom', json('null'))
     WHERE kind = 'VirtualMachine';
   UPDATE objects SET status = json_insert(status, '$.lastMigration.kind', 'live', '$.lastMigration.stopReason', 'converged', '$.lastMigration.completedAtSeconds', 0)
     WHERE kind = 'VirtualMachine' AND json_type(status, '$.lastMigration') = 'object';`,
  // HA: statuses written before say no restart is owed and no host is a failover host.
  `UPDATE objects SET status = json_insert(status, '$.haRestart', json('null')) WHERE kind = 'VirtualMachine';
   UPDATE objects SET status = json_insert(status, '$.haFailoverHost', json('false')) WHERE kind = 'Host';`,
];
