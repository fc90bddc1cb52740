/**
 * Store throughput, SQLite and PostgreSQL, each next to its raw driver doing the same minimal work in
 * the same run: a write is one transaction that reads the revision, inserts an object row and an
 * event row and bumps the state row (what the store does for a small apply); a read selects one row
 * and parses its JSON. Then apply throughput with 1, 4 and 16 concurrent clients on one PostgreSQL
 * database (each client its own runtime and connections). PostgreSQL is a throwaway local cluster
 * (test/support/postgres.ts) or POLYVISOR_TEST_POSTGRES.
 * `npx vitest run --config bench/vitest.config.mts bench/stores.vitest.ts`
 */
import Database from "better-sqlite3";
import { join } from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../runtime";
import { type TestPostgres, startTestPostgres } from "../test/support/postgres";
import { tempDir } from "../test/support/state-file";
import { fmt, header } from "./stats";

const OPS = Number(process.env.STORE_OPS ?? 1000);
let server: TestPostgres | undefined;
const tmp = tempDir();

beforeAll(async () => {
  server = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
  tmp.cleanup();
});

const SPEC = { cluster: "bench", vcpus: 1, memoryMb: 512, guestOs: "linux" };
const STATUS = JSON.stringify({
  observedGeneration: 1,
  cluster: "bench",
  currentHost: "esx1",
  powerState: "on",
  overheadMemoryMb: 40,
  cpuEntitlementMhz: 0,
  memoryEntitlementMb: 512,
  cpuUsedMhz: 0,
  migrations: 0,
  lastMigration: null,
});

async function inventory(rt: Runtime): Promise<void> {
  await rt.apply({ kind: "Cluster", name: "bench", spec: {} });
  for (let h = 0; h < 4; h++) {
    await rt.apply({
      kind: "Host",
      name: `esx${h}`,
      spec: {
        cluster: "bench",
        hypervisor: "esx",
        hypervisorVersion: "8.0",
        cpu: { sockets: 2, coresPerSocket: 32, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
        memoryMb: 4 * 1048576,
      },
    });
  }
}

async function perSecond(ops: number, run: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < ops; i++) await run(i);
  return ops / ((performance.now() - start) / 1000);
}

async function runtimeFigures(rt: Runtime): Promise<{ writes: number; reads: number }> {
  await inventory(rt);
  const writes = await perSecond(OPS, (i) => rt.apply({ kind: "VirtualMachine", name: `vm${i}`, spec: SPEC }));
  const reads = await perSecond(OPS, (i) => rt.get("VirtualMachine", `vm${i}`));
  return { writes, reads };
}

function rawSqlite(path: string): { writes: number; reads: number } {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE state (id INTEGER PRIMARY KEY, revision INTEGER NOT NULL); INSERT INTO state VALUES (1, 0);
           CREATE TABLE objects (kind TEXT, name TEXT, spec TEXT, status TEXT, PRIMARY KEY (kind, name)) WITHOUT ROWID;
           CREATE TABLE events (seq INTEGER PRIMARY KEY, kind TEXT, name TEXT, message TEXT);`);
  const revision = db.prepare("SELECT revision FROM state WHERE id = 1");
  const insert = db.prepare("INSERT INTO objects VALUES (?, ?, ?, ?)");
  const event = db.prepare("INSERT INTO events (kind, name, message) VALUES (?, ?, ?)");
  const bump = db.prepare("UPDATE state SET revision = revision + 1 WHERE id = 1");
  const select = db.prepare("SELECT spec, status FROM objects WHERE kind = ? AND name = ?");
  const write = db.transaction((i: number) => {
    revision.get();
    insert.run("VirtualMachine", `vm${i}`, JSON.stringify(SPEC), STATUS);
    event.run("VirtualMachine", `vm${i}`, "placed on esx1");
    bump.run();
  });
  let start = performance.now();
  for (let i = 0; i < OPS; i++) write.immediate(i);
  const writes = OPS / ((performance.now() - start) / 1000);
  start = performance.now();
  for (let i = 0; i < OPS; i++) {
    const row = select.get("VirtualMachine", `vm${i}`) as { spec: string; status: string };
    JSON.parse(row.spec);
    JSON.parse(row.status);
  }
  const reads = OPS / ((performance.now() - start) / 1000);
  db.close();
  return { writes, reads };
}

async function rawPostgres(url: string): Promise<{ writes: number; reads: number }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE TABLE state (id INTEGER PRIMARY KEY, revision BIGINT NOT NULL); INSERT INTO state VALUES (1, 0);
                 CREATE TABLE objects (kind TEXT, name TEXT, spec TEXT, status TEXT, PRIMARY KEY (kind, name));
                 CREATE TABLE events (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind TEXT, name TEXT, message TEXT);`);
  const writes = await perSecond(OPS, async (i) => {
    await c.query("BEGIN");
    await c.query("SELECT pg_advisory_xact_lock(1)");
    await c.query("SELECT revision FROM state WHERE id = 1");
    await c.query("INSERT INTO objects VALUES ($1, $2, $3, $4)", ["VirtualMachine", `vm${i}`, JSON.stringify(SPEC), STATUS]);
    await c.query("INSERT INTO events (kind, name, message) VALUES ($1, $2, $3)", ["VirtualMachine", `vm${i}`, "placed on esx1"]);
    await c.query("UPDATE state SET revision = revision + 1 WHERE id = 1");
    await c.query("COMMIT");
  });
  const reads = await perSecond(OPS, async (i) => {
    const { rows } = await c.query("SELECT spec, status FROM objects WHERE kind = $1 AND name = $2", ["VirtualMachine", `vm${i}`]);
    JSON.parse(rows[0].spec);
    JSON.parse(rows[0].status);
  });
  await c.end();
  return { writes, reads };
}

function line(name: string, store: { writes: number; reads: number }, raw: { writes: number; reads: number }): string {
  return `| ${name} | ${fmt(store.writes, 0)} | ${fmt(raw.writes, 0)} | ${fmt(raw.writes / store.writes, 2)}x | ${fmt(store.reads, 0)} | ${fmt(raw.reads, 0)} | ${fmt(raw.reads / store.reads, 2)}x |`;
}

it("stores next to their raw drivers, and concurrent clients on PostgreSQL", { timeout: 600_000 }, async () => {
  header(`Store operations per second (${OPS} each)`);
  console.log("| store | apply/s | raw write/s | raw/store | get/s | raw read/s | raw/store |\n|---|---|---|---|---|---|---|");
  const sqliteRt = await openRuntime({ path: join(tmp.dir, "bench.db") });
  const sqlite = await runtimeFigures(sqliteRt);
  await sqliteRt.close();
  console.log(line("SQLite", sqlite, rawSqlite(join(tmp.dir, "raw.db"))));
  expect(server, "PostgreSQL is needed for the rest").toBeDefined();
  const pgRt = await openRuntime({ postgres: await server!.createDatabase() });
  const pg = await runtimeFigures(pgRt);
  await pgRt.close();
  console.log(line("PostgreSQL", pg, await rawPostgres(await server!.createDatabase())));

  header("Apply throughput on one PostgreSQL database by concurrent clients");
  console.log("| clients | applies | applies/s |\n|---|---|---|");
  for (const clients of [1, 4, 16]) {
    const url = await server!.createDatabase();
    const setup = await openRuntime({ postgres: url });
    await inventory(setup);
    const runtimes = await Promise.all(Array.from({ length: clients }, () => openRuntime({ postgres: url })));
    const each = Math.ceil(OPS / clients);
    const start = performance.now();
    await Promise.all(
      runtimes.map(async (rt, c) => {
        for (let i = 0; i < each; i++) await rt.apply({ kind: "VirtualMachine", name: `c${c}-${i}`, spec: SPEC });
      }),
    );
    const rate = (each * clients) / ((performance.now() - start) / 1000);
    expect(await setup.list("VirtualMachine")).toHaveLength(each * clients);
    console.log(`| ${clients} | ${each * clients} | ${fmt(rate, 0)} |`);
    for (const rt of [setup, ...runtimes]) await rt.close();
  }
});
