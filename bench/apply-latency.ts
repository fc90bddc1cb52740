/**
 * Apply latency on a SQLite state file: creating VMs one by one through the runtime facade, against
 * a raw better-sqlite3 baseline in the same run on a file with the same settings (WAL,
 * synchronous=NORMAL) that inserts one JSON row of similar size and selects it back per operation.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRuntime } from "../runtime";
import { fmt, header, nowUs, percentile } from "./stats";

const OPS = 3000;
const WARMUP = 300;

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
  for (let h = 0; h < 8; h++) {
    await rt.apply({
      kind: "Host",
      name: `esx${h}`,
      spec: {
        cluster: "bench",
        hypervisor: "esx",
        cpu: { sockets: 2, coresPerSocket: 16, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
        memoryMb: 1048576,
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

export async function benchApplyLatency(): Promise<Record<string, number>> {
  header(`Apply latency on SQLite: ${OPS.toLocaleString("en-US")} VM creates into a cluster of 8 hosts`);
  const dir = mkdtempSync(join(tmpdir(), "polyvisor-bench-"));
  try {
    const raw = rawLatencies(dir);
    const ours = await runtimeLatencies(dir);
    const rawMedian = percentile(raw, 50);
    const oursMedian = percentile(ours, 50);
    console.log(`runtime apply:      median ${fmt(oursMedian)} µs, p99 ${fmt(percentile(ours, 99))} µs`);
    console.log(`raw insert+select:  median ${fmt(rawMedian)} µs, p99 ${fmt(percentile(raw, 99))} µs`);
    console.log(`ratio (median): ${fmt(oursMedian / rawMedian, 2)}x  (goal <= 3x)`);
    return { applyMedianUs: oursMedian, rawMedianUs: rawMedian };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
