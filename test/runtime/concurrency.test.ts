/**
 * Writers at the same time: optimistic concurrency (no lost update), one winner among concurrent
 * creates (real processes), long advances committed in slices that let others in, and a writer kept
 * waiting for the lock told who holds it instead of a driver error.
 */
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Runtime, type VirtualMachineObject, openRuntime } from "../../runtime";
import { LocalRuntime } from "../../runtime/local-runtime";
import { SqliteStore } from "../../runtime/store/sqlite";
import { leaveWriterNote, removeWriterNote } from "../../runtime/store/writer-note";
import { cluster, esxHost, vm } from "../support/fixtures";
import { dumpStateFile, tempDir } from "../support/state-file";

let tmp: ReturnType<typeof tempDir>;
let path: string;
const opened: Runtime[] = [];

async function open(): Promise<Runtime> {
  const rt = await openRuntime({ path });
  opened.push(rt);
  return rt;
}

beforeEach(async () => {
  tmp = tempDir();
  path = join(tmp.dir, "state.db");
  const rt = await open();
  for (const obj of [cluster("prod"), esxHost("esx1"), esxHost("esx2")]) await rt.apply(obj);
});

afterEach(async () => {
  for (const rt of opened.splice(0)) await rt.close();
  tmp.cleanup();
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error & { code?: string; field?: string }) => e,
  );

describe("optimistic concurrency", () => {
  it("a stale copy is refused with Conflict naming both generations, and the other writer's change stays", async () => {
    const [client1, client2] = [await open(), await open()];
    await client1.apply(vm("web1", { memoryMb: 2048 }));
    const read = (await client1.get("VirtualMachine", "web1")) as VirtualMachineObject;
    expect(read.generation).toBe(1);
    await client2.apply({ ...vm("web1", { memoryMb: 8192 }), generation: 1 });
    const before = dumpStateFile(path);
    const stale = await refusal(
      client1.apply({ kind: "VirtualMachine", name: "web1", spec: { ...read.spec, vcpus: 4 }, generation: read.generation }),
    );
    expect([stale?.code, stale?.field]).toEqual(["Conflict", "generation"]);
    expect(stale?.message).toMatch(/expected generation 1, but the stored object is at generation 2/);
    expect(dumpStateFile(path)).toBe(before);
    const now = (await client1.get("VirtualMachine", "web1")) as VirtualMachineObject;
    expect([now.spec.memoryMb, now.spec.vcpus, now.generation]).toEqual([8192, 2, 2]);
    // Read again, reapply: accepted.
    const updated = await client1.apply({
      kind: "VirtualMachine",
      name: "web1",
      spec: { ...now.spec, vcpus: 4 },
      generation: now.generation,
    });
    expect([updated.spec, updated.generation]).toEqual([expect.objectContaining({ memoryMb: 8192, vcpus: 4 }), 3]);
  });

  it("an expected generation of an object deleted since is a Conflict", async () => {
    const rt = await open();
    const created = await rt.apply(vm("gone"));
    await rt.delete("VirtualMachine", "gone");
    const e = await refusal(rt.apply({ ...vm("gone"), generation: created.generation }));
    expect([e?.code, e?.message]).toEqual([
      "Conflict",
      expect.stringMatching(/expected generation 1, but no VirtualMachine named gone exists/),
    ]);
    expect(await rt.get("VirtualMachine", "gone")).toBeUndefined();
  });

  it("concurrent creates of one name from separate processes: one winner, the others Conflict", async () => {
    expect(existsSync(join(__dirname, "..", "..", "dist", "runtime", "index.js")), "run `npm run build` first").toBe(true);
    const script = join(__dirname, "..", "support", "create-process.js");
    const clients = Array.from({ length: 6 }, () =>
      spawn(process.execPath, [script, path, "contested"], { stdio: ["pipe", "pipe", "pipe"] }),
    );
    const ready: Promise<void>[] = [];
    const outputs = clients.map((child) => {
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      ready.push(new Promise((resolve) => child.stdout.on("data", () => out.includes("ready") && resolve())));
      child.stderr.on("data", (d) => (err += d));
      return new Promise<string>((resolve, reject) =>
        child.on("exit", (code) =>
          code === 0 ? resolve(out.replace("ready", "").trim()) : reject(new Error(`client exited ${code}: ${err}`)),
        ),
      );
    });
    // Every client has the state open before any is told to go.
    await Promise.all(ready);
    for (const child of clients) child.stdin.write("go\n");
    const results = (await Promise.all(outputs)).sort();
    expect(results).toEqual(["Conflict", "Conflict", "Conflict", "Conflict", "Conflict", "created"]);
    const rt = await open();
    expect((await rt.get("VirtualMachine", "contested"))?.generation).toBe(1);
  });
});

describe("long work in slices", () => {
  it("an advance of two days commits 48 one-hour slices", async () => {
    const rt = await open();
    await rt.apply(vm("db1", { workload: { cpuDemandMhz: 500 } }));
    const reader = new Database(path, { readonly: true });
    const revision = () => (reader.prepare("SELECT revision FROM state").get() as { revision: number }).revision;
    try {
      const before = revision();
      await rt.advance(2 * 86_400);
      expect(revision() - before).toBe(48);
      expect(await rt.now()).toBe(2 * 86_400);
    } finally {
      reader.close();
    }
  });

  it("another writer gets in between the slices of a long advance", async () => {
    const [a, b] = [await open(), await open()];
    const advancing = a.advance(10 * 86_400);
    // Starts while the advance runs: it commits between two slices, not after the last one.
    const applying = b.apply(vm("late"));
    await Promise.all([advancing, applying]);
    const placed = (await a.events()).find((e) => e.name === "late" && e.reason === "Placed");
    expect(placed?.timeSeconds).toBeGreaterThan(0);
    expect(placed?.timeSeconds).toBeLessThan(10 * 86_400);
    expect(await a.now()).toBe(10 * 86_400);
  });
});

describe("a writer kept waiting for the lock", () => {
  it("fails with Conflict saying who holds the lock and for how long, not a driver error", async () => {
    const waiter = new LocalRuntime(new SqliteStore(path, { seed: 1, busyTimeoutMs: 100 }));
    opened.push(waiter);
    const holder = new Database(path);
    try {
      holder.exec("BEGIN IMMEDIATE");
      let e = await refusal(waiter.apply(vm("blocked")));
      expect([e?.code, e?.message]).toEqual([
        "Conflict",
        expect.stringMatching(
          /another writer holds the state's write lock \(another process; it left no note of what it does\); waited 0\.1 s/,
        ),
      ]);
      // A long writer leaves a note while it holds the lock: the waiter names it.
      leaveWriterNote(path, "advance of 2592000 s (slice of 3600 s)");
      e = await refusal(waiter.apply(vm("blocked")));
      expect(e?.message).toMatch(new RegExp(`pid ${process.pid}, advance of 2592000 s \\(slice of 3600 s\\), for \\d+\\.\\d s`));
      // Readers are never blocked (WAL).
      expect((await waiter.list("Host")).map((h) => h.name)).toEqual(["esx1", "esx2"]);
    } finally {
      removeWriterNote(path);
      holder.exec("ROLLBACK");
      holder.close();
    }
    expect((await waiter.apply(vm("blocked"))).name).toBe("blocked");
  });
});
