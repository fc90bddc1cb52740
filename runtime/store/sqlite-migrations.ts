import { DrsSettings, MigrationSettings } from "../../schema/cluster";
import { HYPERVISOR_VERSIONS } from "../../schema/host";
import { emptyDrsStatus } from "../core/drs/pass";
import { DRS_PASS_TASK } from "../core/kernel/timers";

/** Each hypervisor's default release, as SQL: what a host stored before releases were modelled runs. */
const DEFAULT_RELEASE_SQL = `CASE json_extract(spec, '$.hypervisor') ${Object.entries(HYPERVISOR_VERSIONS)
  .map(([hypervisor, [first]]) => `WHEN '${hypervisor}' THEN '${first}'`)
  .join(" ")} END`;

/** `json_insert` arguments that add every default of `defaults` under `path` that a stored object lacks. */
function defaultsSql(path: string, defaults: object): string {
  return Object.entries(defaults)
    .map(([key, value]) => `'${path}.${key}', json('${JSON.stringify(value)}')`)
    .join(", ");
}

/**
 * The periodic DRS pass of every cluster, merged into the pending timers in (at, seq) order: a state
 * written before DRS ran on the simulated clock has none.
 */
const DRS_TIMERS_SQL = `WITH clusters AS (
     SELECT name, state.clock_seconds + coalesce(json_extract(spec, '$.drs.intervalSeconds'), 300) AS at,
            state.next_timer_seq + row_number() OVER (ORDER BY name) - 1 AS seq
       FROM objects WHERE kind = 'Cluster'),
   merged AS (
     SELECT json(value) AS t, json_extract(value, '$.at') AS at, json_extract(value, '$.seq') AS seq FROM json_each(state.timers)
     UNION ALL
     SELECT json_object('at', at, 'seq', seq, 'task', '${DRS_PASS_TASK}', 'kind', 'Cluster', 'name', name), at, seq FROM clusters)
   SELECT json_group_array(json(t) ORDER BY at, seq) FROM merged`;

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
  // DRS: settings added since (and the pre-copy settings of migration 3, which specs written before
  // lack too), constant workloads, demand, usage and cooldown of VMs (a running VM's memory use is
  // taken as its entitlement until the first pass divides it), host entitlement totals, an empty
  // DRS status, and each cluster's periodic pass.
  `UPDATE objects SET spec = json_insert(spec, ${defaultsSql("$.drs", DrsSettings.parse({}))}, ${defaultsSql("$.migration", MigrationSettings.parse({}))})
     WHERE kind = 'Cluster';
   UPDATE objects SET status = json_insert(status, '$.drs', json('${JSON.stringify(emptyDrsStatus())}')) WHERE kind = 'Cluster';
   UPDATE objects SET spec = json_insert(spec, '$.workload.profile', 'constant')
     WHERE kind = 'VirtualMachine' AND json_type(spec, '$.workload') = 'object';
   UPDATE objects SET status = json_insert(status,
       '$.cpuDemandMhz', CASE json_extract(status, '$.powerState') WHEN 'on' THEN coalesce(json_extract(spec, '$.workload.cpuDemandMhz'), 0) ELSE 0 END,
       '$.memoryUsedMb', CASE json_extract(status, '$.powerState') WHEN 'on' THEN coalesce(json_extract(status, '$.memoryEntitlementMb'), 0) ELSE 0 END,
       '$.drsCooldownUntilSeconds', json('null'))
     WHERE kind = 'VirtualMachine';
   UPDATE objects AS h SET status = json_insert(h.status,
       '$.cpuEntitlementMhz', (SELECT coalesce(sum(json_extract(v.status, '$.cpuEntitlementMhz')), 0) FROM objects v
                                WHERE v.kind = 'VirtualMachine' AND json_extract(v.status, '$.currentHost') = h.name),
       '$.memoryEntitlementMb', (SELECT coalesce(sum(json_extract(v.status, '$.memoryEntitlementMb')), 0) FROM objects v
                                WHERE v.kind = 'VirtualMachine' AND json_extract(v.status, '$.currentHost') = h.name))
     WHERE h.kind = 'Host';
   UPDATE state SET timers = (${DRS_TIMERS_SQL}),
     next_timer_seq = next_timer_seq + (SELECT count(*) FROM objects WHERE kind = 'Cluster');`,
  // Container moves take simulated time: containers written before, moved at once, have none in flight.
  `UPDATE objects SET status = json_insert(status, '$.migration', json('null')) WHERE kind = 'Container';`,
  // API tokens of `polyvisor serve`, hashed.
  `CREATE TABLE IF NOT EXISTS tokens (
     name TEXT PRIMARY KEY,
     role TEXT NOT NULL,
     hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   ) WITHOUT ROWID;`,
  // Objects in a rowid table: a WITHOUT ROWID row keeps at most about 1 KB in its b-tree page and
  // spills the rest to overflow pages, which a VM's JSON (about 1 KB) does, so each object took two
  // or more pages and each update wrote them all; a rowid table keeps rows up to about 4 KB in their
  // page. (kind, name) stays unique through its index; rows are copied in key order.
  `CREATE TABLE objects_by_rowid (
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     spec TEXT NOT NULL,
     status TEXT NOT NULL,
     generation INTEGER NOT NULL,
     version INTEGER NOT NULL,
     UNIQUE (kind, name)
   );
   INSERT INTO objects_by_rowid (kind, name, spec, status, generation, version)
     SELECT kind, name, spec, status, generation, version FROM objects ORDER BY kind, name;
   DROP TABLE objects;
   ALTER TABLE objects_by_rowid RENAME TO objects;`,
  // A VM's usage is worked out from its host's division when shown (vms/vm-usage.ts), no longer stored
  // in its row; a host written before keeps no division and is divided from its VMs until refreshed.
  `UPDATE objects SET status = json_remove(status, '$.cpuUsedMhz', '$.overheadCpuMhz', '$.memoryUsedMb')
     WHERE kind = 'VirtualMachine' AND json_type(status, '$.cpuUsedMhz') IS NOT NULL;`,
];
