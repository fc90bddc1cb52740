/**
 * Apply throughput through servers sharing one PostgreSQL datacenter: 1, 4 and 16 concurrent clients
 * (each sending its applies to the servers in turn) through two `polyvisor serve --postgres` processes, next to the same
 * clients on one such server in the same run (the baseline). The servers run paused, so only the
 * clients write. Needs `npm run build`; PostgreSQL as in test/support/postgres.ts.
 * `npx vitest run --config bench/vitest.config.mts bench/shared-servers.vitest.ts` (SHARED_APPLIES: applies per run)
 */
import { cpus } from "node:os";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../runtime";
import { type TestPostgres, startTestPostgres } from "../test/support/postgres";
import { type ServerProcess, startServer } from "../test/support/server-process";
import { fmt, header } from "./stats";

const APPLIES = Number(process.env.SHARED_APPLIES ?? 160);
/** Applies through each server before timing: the first requests of a process pay for compiling its code. */
const WARM_UP = 32;
const CLIENTS = [1, 4, 16];
let pg: TestPostgres | undefined;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  for (const s of servers) await s.stop();
  await pg?.stop();
});

const SPEC = { cluster: "bench", vcpus: 1, memoryMb: 512, guestOs: "linux" };

async function inventory(url: string): Promise<void> {
  const rt = await openRuntime({ postgres: url });
  await rt.apply({ kind: "Cluster", name: "bench", spec: {} });
  for (let h = 0; h < 4; h++) {
    await rt.apply({
      kind: "Host",
      name: `esx${h}`,
      spec: {
        cluster: "bench",
        hypervisor: "esx",
        cpu: { sockets: 2, coresPerSocket: 32, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
        memoryMb: 4 * 1048576,
      },
    });
  }
  await rt.close();
}

/**
 * `APPLIES` new VMs from `clients` concurrent clients, each with a runtime on every server, sending
 * its applies to them in turn (client c's i-th to server (c + i) mod n); applies per second.
 */
async function throughput(urls: string[], clients: number, prefix: string, applies = APPLIES): Promise<number> {
  const runtimes: Runtime[][] = await Promise.all(
    Array.from({ length: clients }, () => Promise.all(urls.map((url) => openRuntime({ url })))),
  );
  const each = Math.ceil(applies / clients);
  const start = performance.now();
  await Promise.all(
    runtimes.map(async (mine, c) => {
      for (let i = 0; i < each; i++)
        await mine[(c + i) % mine.length].apply({ kind: "VirtualMachine", name: `${prefix}-c${c}-vm${i}`, spec: SPEC });
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  for (const rt of runtimes.flat()) await rt.close();
  return (each * clients) / seconds;
}

it("apply throughput with 1, 4 and 16 clients through one and two servers on one PostgreSQL", async () => {
  if (!pg) return void console.log("no PostgreSQL server: skipped");
  const url = await pg.createDatabase();
  await inventory(url);
  for (let i = 0; i < 2; i++) servers.push(await startServer({ postgres: url }, ["--paused"]));
  const one = [servers[0].url];
  const two = servers.map((s) => s.url);
  for (const [i, server] of servers.entries()) await throughput([server.url], 1, `warm${i}`, WARM_UP);
  const rows = ["| clients | applies | 1 server /s | 2 servers /s | 2 / 1 |", "|---|---|---|---|---|"];
  for (const clients of CLIENTS) {
    const single = await throughput(one, clients, `one${clients}`);
    const shared = await throughput(two, clients, `two${clients}`);
    const applies = Math.ceil(APPLIES / clients) * clients;
    rows.push(`| ${clients} | ${applies} | ${fmt(single)} | ${fmt(shared)} | ${(shared / single).toFixed(2)}x |`);
  }
  header("Apply throughput through servers sharing one PostgreSQL datacenter");
  console.log(`${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"})`);
  console.log(rows.join("\n"));
  // Every apply of every client is there: nothing lost whichever server took it.
  const check = await openRuntime({ postgres: url });
  const expected = 2 * WARM_UP + CLIENTS.reduce((sum, c) => sum + 2 * Math.ceil(APPLIES / c) * c, 0);
  expect((await check.list("VirtualMachine")).length).toBe(expected);
  expect((await check.checkState()).ok).toBe(true);
  await check.close();
});
