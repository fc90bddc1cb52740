import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import type { ClusterObject } from "../../runtime";
import { SQLITE_MIGRATIONS } from "../../runtime/store/sqlite-migrations";
import { cluster, esxHost, vm } from "../support/fixtures";
import { accountingMismatches, asInventory } from "../support/oracle";
import { tempDir } from "../support/state-file";

let tmp: ReturnType<typeof tempDir>;
let path: string;
beforeEach(() => {
  tmp = tempDir();
  path = join(tmp.dir, "nested", "state.db");
});
afterEach(() => tmp.cleanup());

function runWriter(prefix: string, count: number): Promise<void> {
  const script = join(__dirname, "..", "support", "writer-process.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, path, prefix, String(count)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`writer ${prefix} exited ${code}: ${stderr}`))));
  });
}

describe("SQLite store", () => {
  it("keeps the state across restarts, including the clock and the event sequence", async () => {
    const first = await openRuntime({ path });
    await first.apply(cluster("prod"));
    await first.apply(esxHost("esx1"));
    await first.apply(vm("db1", { memory: { reservationMb: 1000 } }));
    await first.advance(90);
    const before = { vm: await first.get("VirtualMachine", "db1"), events: await first.events() };
    await first.close();

    const second = await openRuntime({ path });
    expect(await second.get("VirtualMachine", "db1")).toEqual(before.vm);
    expect(await second.events()).toEqual(before.events);
    expect(await second.now()).toBe(90);
    await second.apply(vm("db2"));
    const events = await second.events({ sinceSeq: before.events.at(-1)!.seq });
    expect(events[0].seq).toBe(before.events.at(-1)!.seq + 1);
    expect(events[0].timeSeconds).toBe(90);
    await second.close();
  });

  it("records the schema version and refuses a file from a newer version", async () => {
    const rt = await openRuntime({ path });
    await rt.close();
    const db = new Database(path);
    expect(db.prepare("SELECT version FROM schema_version").get()).toEqual({ version: SQLITE_MIGRATIONS.length });
    db.prepare("UPDATE schema_version SET version = ?").run(SQLITE_MIGRATIONS.length + 1);
    db.close();
    await expect(openRuntime({ path })).rejects.toThrow(/written by a newer polyvisor .*upgrade polyvisor/);
  });

  it("migrates a file written by the first schema version, keeping its content", async () => {
    mkdirSync(join(tmp.dir, "nested"), { recursive: true });
    const db = new Database(path);
    db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    db.exec(SQLITE_MIGRATIONS[0]);
    db.exec("INSERT INTO schema_version VALUES (1); INSERT INTO state VALUES (1, 3, 42, 7)");
    const oldStatus = {
      observedGeneration: 1,
      hosts: [],
      cpuCapacityMhz: 0,
      memoryCapacityMb: 0,
      cpuReservationUsedMhz: 0,
      memoryReservationUsedMb: 0,
      cpuUnreservedMhz: 0,
      memoryUnreservedMb: 0,
    };
    db.prepare("INSERT INTO objects VALUES ('Cluster', 'old', '{}', ?, 1, 1)").run(JSON.stringify(oldStatus));
    db.close();
    const rt = await openRuntime({ path });
    expect(await rt.now()).toBe(42);
    await rt.apply(cluster("old"));
    expect((await rt.get("Cluster", "old"))!.generation).toBe(2);
    await rt.close();
    const after = new Database(path, { readonly: true });
    expect(after.prepare("SELECT version FROM schema_version").get()).toEqual({ version: SQLITE_MIGRATIONS.length });
    // The migrated state keeps timers; the updated cluster now has its periodic DRS pass there.
    const { timers } = after.prepare("SELECT timers FROM state").get() as { timers: string };
    expect(JSON.parse(timers).map((t: { task: string; name: string }) => `${t.task} ${t.name}`)).toEqual(["drs.pass old"]);
    after.close();
  });

  it("migrates hosts and VMs written before hypervisor releases, overhead, migrations and HA were modelled", async () => {
    mkdirSync(join(tmp.dir, "nested"), { recursive: true });
    const db = new Database(path);
    db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    db.exec(SQLITE_MIGRATIONS[0]);
    db.exec(SQLITE_MIGRATIONS[1]);
    db.exec("INSERT INTO schema_version VALUES (2); INSERT INTO state (id, revision, clock_seconds, random_state) VALUES (1, 3, 0, 7)");
    const insert = db.prepare("INSERT INTO objects VALUES (?, ?, ?, ?, 1, 1)");
    const hostSpec = {
      hypervisor: "esx",
      cpu: { sockets: 1, coresPerSocket: 8, mhz: 2000, vendor: "intel", features: ["vmx", "lm"] },
      memoryMb: 16384,
      datastores: [],
      maintenance: false,
    };
    const hostStatus = {
      observedGeneration: 1,
      state: "connected",
      cpuCapacityMhz: 16000,
      memoryCapacityMb: 16384,
      cpuReservedMhz: 1000,
      memoryReservedMb: 50,
      cpuUsedMhz: 0,
      memoryUsedMb: 50,
      vcpusCommitted: 1,
      memoryCommittedMb: 1024,
    };
    const vmSpec = {
      host: "old",
      vcpus: 1,
      memoryMb: 1024,
      guestOs: "linux",
      guestArch: "x86_64",
      virtualization: "auto",
      powerState: "on",
      cpu: { shares: "normal", reservationMhz: 1000 },
      memory: { shares: "normal", reservationMb: 0 },
      disks: [],
    };
    const lastMigration = { fromHost: "a", toHost: "old", totalSeconds: 0, downtimeMs: 0, rounds: 0, transferredMb: 0 };
    const vmStatus = {
      observedGeneration: 1,
      cluster: null,
      currentHost: "old",
      powerState: "on",
      virtualization: "hardware",
      overheadMemoryMb: 50,
      cpuEntitlementMhz: 1000,
      memoryEntitlementMb: 50,
      cpuUsedMhz: 0,
      migrations: 1,
      lastMigration,
    };
    insert.run("Host", "old", JSON.stringify(hostSpec), JSON.stringify(hostStatus));
    insert.run("VirtualMachine", "v", JSON.stringify(vmSpec), JSON.stringify(vmStatus));
    db.close();
    const rt = await openRuntime({ path });
    expect((await rt.get("Host", "old"))!.status).toMatchObject({
      hypervisorVersion: "3.0",
      incomingVms: [],
      vms: ["v"],
      haFailoverHost: false,
    });
    expect((await rt.get("VirtualMachine", "v"))!.status).toMatchObject({
      overheadCpuPercent: 0,
      overheadCpuReservedMhz: 0,
      migration: null,
      importedDisks: [],
      cdrom: null,
      paging: null,
      lastMigration: { ...lastMigration, kind: "live", completedAtSeconds: 0 },
      haRestart: null,
    });
    // The VM's stored charge (1000 MHz, 50 MB, no CPU overhead) is released exactly when it powers off.
    await rt.apply({ kind: "VirtualMachine", name: "v", spec: { ...vmSpec, powerState: "off" } });
    expect((await rt.get("Host", "old"))!.status).toMatchObject({ cpuReservedMhz: 0, memoryReservedMb: 0 });
    await rt.close();
  });

  it("migrates containers written when moves landed at once: none is in flight", async () => {
    const rt = await openRuntime({ path });
    await rt.apply(cluster("farm"));
    await rt.apply({
      kind: "Host",
      name: "vz1",
      spec: {
        cluster: "farm",
        hypervisor: "openvz",
        cpu: { sockets: 1, coresPerSocket: 4, mhz: 2000, vendor: "intel", features: ["lm"] },
        memoryMb: 4096,
      },
    });
    await rt.apply({ kind: "Container", name: "ct", spec: { cluster: "farm", template: "centos-5-x86_64", memoryMb: 256, diskGb: 1 } });
    await rt.close();
    const db = new Database(path);
    db.exec(
      `UPDATE objects SET status = json_remove(status, '$.migration') WHERE kind = 'Container'; UPDATE schema_version SET version = ${SQLITE_MIGRATIONS.findIndex((m) => m.includes("'$.migration', json('null')) WHERE kind = 'Container'"))}`,
    );
    expect(db.prepare("SELECT json_type(status, '$.migration') AS t FROM objects WHERE kind = 'Container'").get()).toEqual({ t: null });
    db.close();
    const after = await openRuntime({ path });
    expect((await after.get("Container", "ct"))!.status).toMatchObject({ currentHost: "vz1", migration: null });
    await after.close();
  });

  it("moves objects written in the WITHOUT ROWID layout to a rowid table that keeps each row in its page", async () => {
    const rt = await openRuntime({ path });
    await rt.apply(cluster("prod"));
    for (const h of ["esx1", "esx2"]) await rt.apply(esxHost(h));
    for (let i = 0; i < 40; i++) await rt.apply(vm(`vm${i}`, { memory: { reservationMb: 256 } }));
    await rt.advance(600);
    await rt.close();
    // The file as the previous schema wrote it: the same rows in the WITHOUT ROWID table.
    const layout = SQLITE_MIGRATIONS.findIndex((m) => m.includes("objects_by_rowid"));
    const old = new Database(path);
    old.exec(`CREATE TABLE objects_keyed (
        kind TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, status TEXT NOT NULL,
        generation INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (kind, name)) WITHOUT ROWID;
      INSERT INTO objects_keyed SELECT kind, name, spec, status, generation, version FROM objects;
      DROP TABLE objects; ALTER TABLE objects_keyed RENAME TO objects; VACUUM;
      UPDATE schema_version SET version = ${layout};`);
    const pages = (db: Database.Database) =>
      db
        .prepare<[], { overflow: number }>("SELECT count(*) AS overflow FROM dbstat WHERE name = 'objects' AND pagetype = 'overflow'")
        .get()!.overflow;
    const rows = (db: Database.Database) => db.prepare("SELECT * FROM objects ORDER BY kind, name").all();
    const largest = old.prepare<[], { n: number }>("SELECT max(length(spec) + length(status)) AS n FROM objects").get()!.n;
    expect(largest).toBeGreaterThan(1100);
    expect(pages(old)).toBeGreaterThan(0);
    const before = rows(old);
    old.close();

    const reopened = await openRuntime({ path });
    expect(await reopened.get("VirtualMachine", "vm7")).toMatchObject({ name: "vm7", status: { powerState: "on" } });
    await reopened.close();
    let migrated = new Database(path);
    expect(migrated.prepare("SELECT version FROM schema_version").get()).toEqual({ version: SQLITE_MIGRATIONS.length });
    expect(migrated.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'objects'").get()!.sql).not.toMatch(
      /WITHOUT ROWID/,
    );
    expect(rows(migrated)).toEqual(before);
    migrated.close();
    // Written through the new layout as before: updates and a new object.
    const writer = await openRuntime({ path });
    await writer.apply(vm("vm40"));
    await writer.advance(300);
    expect((await writer.list("VirtualMachine")).length).toBe(41);
    await writer.close();
    migrated = new Database(path);
    migrated.exec("VACUUM");
    expect(pages(migrated)).toBe(0);
    expect(() =>
      migrated
        .prepare("INSERT INTO objects (kind, name, spec, status, generation, version) VALUES ('Cluster', 'prod', '{}', '{}', 1, 1)")
        .run(),
    ).toThrow(/UNIQUE/);
    migrated.close();
  });

  it("an idempotent apply writes nothing", async () => {
    const rt = await openRuntime({ path });
    await rt.apply(cluster("prod"));
    const events = (await rt.events()).length;
    const again = await rt.apply(cluster("prod", { drs: {} }));
    expect(again.generation).toBe(1);
    expect(await rt.events()).toHaveLength(events);
    await rt.close();
  });

  it("two processes writing the same file lose no update", async () => {
    expect(existsSync(join(__dirname, "..", "..", "dist", "runtime", "index.js")), "run `npm run build` first").toBe(true);
    const rt = await openRuntime({ path });
    await rt.apply(cluster("prod"));
    for (const h of ["esx1", "esx2", "esx3"]) await rt.apply(esxHost(h));

    // This process writes too, while the two others run.
    const mine = (async () => {
      for (let i = 0; i < 40; i++)
        await rt.apply(vm(`main-${i}`, { vcpus: 1, memoryMb: 1024, cpu: { reservationMhz: 100 }, memory: { reservationMb: 100 } }));
    })();
    await Promise.all([runWriter("a", 60), runWriter("b", 60), mine]);

    const vms = await rt.list("VirtualMachine");
    expect(vms).toHaveLength(160);
    const inv = asInventory({ Cluster: await rt.list("Cluster"), Host: await rt.list("Host"), ResourcePool: [], VirtualMachine: vms });
    expect(accountingMismatches(inv)).toEqual([]);
    // Hosts also reserve the hypervisor's CPU overhead (checked by accountingMismatches); the cluster counts reservations only.
    expect((inv.clusters[0] as ClusterObject).status.cpuReservationUsedMhz).toBe(160 * 100);
    const seqs = (await rt.events()).map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    await rt.close();
  });
});
