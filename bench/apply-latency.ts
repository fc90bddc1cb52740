/**
 * Apply latency on a SQLite state file at S1: creating 10,000 VMs one by one on 96 hosts through the
 * runtime facade (the last 3,000 timed), against a raw better-sqlite3 baseline in the same run on a
 * file with the same settings (WAL, synchronous=NORMAL) that inserts one JSON row of similar size and
 * selects it back per operation. Then the row layouts: the runtime's objects, copied into the rowid
 * table the store uses and into the WITHOUT ROWID table it used before, each file's size per VM and
 * overflow pages, and the time of a status update (a DRS pass's write) in each, in turn.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRuntime } from "../runtime";
import { runDrsPass } from "../runtime/core/drs/pass";
import type { Kind, World } from "../runtime/core/kernel/model";
import { Txn } from "../runtime/core/kernel/txn";
import { CLUSTER, buildWorld } from "./drs-world";
import { fmt, header, nowUs, percentile } from "./stats";

const OPS = 3000;
const WARMUP = 7000;
const HOSTS = 96;
const LAYOUTS = {
  rowid:
    "CREATE TABLE objects (kind TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, status TEXT NOT NULL, generation INTEGER NOT NULL, version INTEGER NOT NULL, UNIQUE (kind, name))",
  "WITHOUT ROWID (before)":
    "CREATE TABLE objects (kind TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, status TEXT NOT NULL, generation INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (kind, name)) WITHOUT ROWID",
};

function vmSpec(i: number) {
  return {
    cluster: "bench",
    vcpus: 1 + (i % 4),
    memoryMb: 1024 * (1 + (i % 4)),
    guestOs: "linux",
    memory: { reservationMb: i % 5 === 0 ? 512 : 0 },
  };
}

async function runtimeLatencies(dir: string): Promise<number[]> {
  const rt = await openRuntime({ path: join(dir, "runtime.db") });
  await rt.apply({ kind: "Cluster", name: "bench", spec: {} });
  for (let h = 0; h < HOSTS; h++) {
    await rt.apply({
      kind: "Host",
      name: `esx${h}`,
      spec: {
        cluster: "bench",
        hypervisor: "esx",
        cpu: { sockets: 2, coresPerSocket: 16, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
        memoryMb: 262144,
      },
    });
  }
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + OPS; i++) {
    const start = nowUs();
    await rt.apply({ kind: "VirtualMachine", name: `vm${i}`, spec: vmSpec(i) });
    if (i >= WARMUP) samples.push(nowUs() - start);
  }
  await rt.close();
  return samples;
}

function rawLatencies(dir: string): number[] {
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(
    "CREATE TABLE objects (kind TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (kind, name)) WITHOUT ROWID",
  );
  const insert = db.prepare("INSERT INTO objects (kind, name, spec, status) VALUES (?, ?, ?, ?)");
  const select = db.prepare("SELECT spec, status FROM objects WHERE kind = ? AND name = ?");
  const status = JSON.stringify({
    observedGeneration: 1,
    cluster: "bench",
    currentHost: "esx1",
    powerState: "on",
    virtualization: "hardware",
    overheadMemoryMb: 40,
    cpuEntitlementMhz: 0,
    memoryEntitlementMb: 2048,
    cpuUsedMhz: 0,
    migrations: 0,
    lastMigration: null,
  });
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + OPS; i++) {
    const start = nowUs();
    insert.run("VirtualMachine", `vm${i}`, JSON.stringify(vmSpec(i)), status);
    const row = select.get("VirtualMachine", `vm${i}`) as { spec: string };
    JSON.parse(row.spec);
    if (i >= WARMUP) samples.push(nowUs() - start);
  }
  db.close();
  return samples;
}

type Row = { kind: string; name: string; spec: string; status: string; generation: number; version: number };

/** A layout's file, filled with `rows` and vacuumed: bytes per VM, overflow pages, and status updates timed. */
function layoutFile(dir: string, name: string, createSql: string, rows: Row[]) {
  const path = join(dir, `${name.split(" ")[0]}.db`);
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(createSql);
  const insert = db.prepare("INSERT INTO objects VALUES (@kind, @name, @spec, @status, @generation, @version)");
  db.transaction(() => rows.forEach((r) => insert.run(r)))();
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.exec("VACUUM");
  const pages = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM dbstat WHERE name = 'objects'").get()!.n;
  const overflow = db
    .prepare<[], { n: number }>("SELECT count(*) AS n FROM dbstat WHERE name = 'objects' AND pagetype = 'overflow'")
    .get()!.n;
  const vms = rows.filter((r) => r.kind === "VirtualMachine");
  const update = db.prepare("UPDATE objects SET status = ?, version = version + 1 WHERE kind = ? AND name = ?");
  return {
    bytesPerVm: statSync(path).size / vms.length,
    pages,
    overflow,
    /** One status update of the n-th VM, timed: a DRS pass's write, the status changed. */
    update(n: number): number {
      const vm = vms[(n * 7919) % vms.length];
      const start = nowUs();
      update.run(vm.status.replace(/"cpuDemandMhz":\d+/, `"cpuDemandMhz":${n}`), vm.kind, vm.name);
      return nowUs() - start;
    },
    close: () => db.close(),
  };
}

/** Rows of `kinds` as the store writes them, from a world. */
function rowsOf(world: World, kinds: readonly Kind[]): Row[] {
  return kinds.flatMap((kind) =>
    world.list(kind).map((o) => ({
      kind,
      name: o.name,
      spec: JSON.stringify(o.spec),
      status: JSON.stringify(o.status),
      generation: o.generation,
      version: 1,
    })),
  );
}

/**
 * The row layouts on the objects of a running S1 world after a DRS pass (the DRS bench's world:
 * each VM's status then carries its demand, entitlement, usage and last migration), and on the
 * objects the applies above wrote.
 */
function layouts(dir: string): void {
  const world = buildWorld({ hosts: HOSTS, vms: 10_000, seed: 7 });
  const txn = new Txn(world);
  runDrsPass(txn, CLUSTER, { sampleWorkloads: true });
  world.applyChanges(txn.changes());
  header("Row layouts: the objects of S1 after a DRS pass, in each layout");
  layoutsOf(dir, rowsOf(world, ["Cluster", "Host", "VirtualMachine"]));
}

function layoutsOf(dir: string, rows: Row[]): void {
  const vmRows = rows.filter((r) => r.kind === "VirtualMachine");
  const meanRow = vmRows.reduce((n, r) => n + r.spec.length + r.status.length, 0) / vmRows.length;
  console.log(`a VM's row: ${fmt(meanRow, 0)} bytes of JSON on average (spec and status)`);
  const files = Object.entries(LAYOUTS).map(([name, sql]) => ({ name, file: layoutFile(dir, name, sql, rows), samples: [] as number[] }));
  for (let n = 0; n < OPS; n++) for (const f of files) f.samples.push(f.file.update(n));
  for (const { name, file, samples } of files) {
    console.log(
      `${name}: ${fmt(file.bytesPerVm, 0)} bytes per VM, ${file.pages} pages of which ${file.overflow} overflow; status update median ${fmt(percentile(samples, 50))} µs, p99 ${fmt(percentile(samples, 99))} µs`,
    );
    file.close();
  }
}

export async function benchApplyLatency(): Promise<Record<string, number>> {
  header(
    `Apply latency on SQLite: ${OPS.toLocaleString("en-US")} VM creates timed after ${WARMUP.toLocaleString("en-US")}, ${HOSTS} hosts`,
  );
  const dir = mkdtempSync(join(tmpdir(), "polyvisor-bench-"));
  try {
    const raw = rawLatencies(dir);
    const ours = await runtimeLatencies(dir);
    const rawMedian = percentile(raw, 50);
    const oursMedian = percentile(ours, 50);
    const file = statSync(join(dir, "runtime.db")).size;
    console.log(`runtime apply:      median ${fmt(oursMedian)} µs, p99 ${fmt(percentile(ours, 99))} µs  (goal p99 < 2,000 µs)`);
    console.log(`raw insert+select:  median ${fmt(rawMedian)} µs, p99 ${fmt(percentile(raw, 99))} µs`);
    console.log(`ratio (median): ${fmt(oursMedian / rawMedian, 2)}x  (goal <= 2x)`);
    console.log(
      `state file: ${fmt(file / 1e6)} MB, ${fmt(file / (WARMUP + OPS), 0)} bytes per VM (events included; WAL checkpointed at close)`,
    );
    layouts(dir);
    return { applyMedianUs: oursMedian, rawMedianUs: rawMedian };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
