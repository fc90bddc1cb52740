/**
 * The server under load from a loopback generator (autocannon, a few seconds per route) in another
 * process: GET of one object and PUT (apply, each a real change) against a bare Fastify "hello" route
 * served by the same process, apply against the in-process apply rate of the same change, and the
 * time from sending a write to its event reaching an SSE client.
 */
import autocannon from "autocannon";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ObjectInput, type Runtime, openRuntime } from "../runtime";
import { fmt, header, nowUs, percentile } from "./stats";

const SECONDS = 4;
const CONNECTIONS = 10;
const VMS = 50;
const SSE_WRITES = 300;

const host = (i: number): ObjectInput => ({
  kind: "Host",
  name: `esx${i}`,
  spec: {
    cluster: "bench",
    hypervisor: "esx",
    cpu: { sockets: 2, coresPerSocket: 16, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
    memoryMb: 1048576,
  },
});
const vm = (i: number, shares: number): ObjectInput => ({
  kind: "VirtualMachine",
  name: `vm${i}`,
  spec: { cluster: "bench", vcpus: 2, memoryMb: 2048, guestOs: "linux", cpu: { shares } },
});

async function seed(rt: Runtime): Promise<void> {
  await rt.apply({ kind: "Cluster", name: "bench", spec: {} });
  for (let h = 0; h < 8; h++) await rt.apply(host(h));
  for (let i = 0; i < VMS; i++) await rt.apply(vm(i, 1000));
}

/** The n-th apply of the run: VMs in turn, each time with other shares, so every apply changes something. */
const nthApply = (n: number) => vm(n % VMS, 1001 + Math.floor(n / VMS));

function startTarget(dir: string): Promise<{ api: string; hello: string; stop(): void }> {
  const child = spawn(process.execPath, [join(__dirname, "server-target.js"), dir], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout.once("data", (d) => resolve({ ...JSON.parse(String(d)), stop: () => child.kill("SIGTERM") }));
    child.once("exit", (code) => reject(new Error(`server-target exited ${code}`)));
  });
}

async function load(opts: autocannon.Options): Promise<number> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${opts.url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

async function inProcessApplyRate(dir: string): Promise<number> {
  const rt = await openRuntime({ path: join(dir, "local.db") });
  await seed(rt);
  let n = 0;
  const start = nowUs();
  while (nowUs() - start < SECONDS * 1e6) await rt.apply(nthApply(n++));
  const rate = n / ((nowUs() - start) / 1e6);
  await rt.close();
  return rate;
}

/** Milliseconds from sending each write to its event arriving on an open event stream. */
async function sseLatencies(api: string, rt: Runtime): Promise<number[]> {
  const since = (await rt.events()).at(-1)?.seq ?? 0;
  const controller = new AbortController();
  const res = await fetch(`${api}/api/v1/events/stream?sinceSeq=${since}`, { signal: controller.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const arrivals = new Map<string, number>();
  let buffer = "";
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const data = /^data: (.*)$/m.exec(buffer.slice(0, end))?.[1];
        buffer = buffer.slice(end + 2);
        if (data) {
          const e = JSON.parse(data) as { name: string };
          if (!arrivals.has(e.name)) arrivals.set(e.name, nowUs());
        }
      }
    }
  })();
  const samples: number[] = [];
  for (let i = 0; i < SSE_WRITES; i++) {
    const name = `sse${i}`;
    const sent = nowUs();
    await rt.apply({ kind: "VirtualMachine", name, spec: { cluster: "bench", vcpus: 1, memoryMb: 512, guestOs: "linux" } });
    while (!arrivals.has(name)) await new Promise((r) => setImmediate(r));
    samples.push((arrivals.get(name)! - sent) / 1000);
  }
  controller.abort();
  await reading;
  return samples;
}

export async function benchServer(): Promise<Record<string, number>> {
  header(`Server under load (autocannon, ${CONNECTIONS} connections, ${SECONDS} s per route, loopback)`);
  const dir = mkdtempSync(join(tmpdir(), "polyvisor-bench-server-"));
  const target = await startTarget(dir);
  try {
    const rt = await openRuntime({ url: target.api });
    await seed(rt);
    const getUrl = `${target.api}/api/v1/objects/VirtualMachine/vm7`;
    // A second of each first, so that neither route is measured while the process is still cold.
    for (const url of [target.hello, getUrl]) await load({ url, duration: 1 });
    const hello = await load({ url: target.hello });
    const get = await load({ url: getUrl });
    let n = 0;
    const apply = await load({
      url: target.api,
      requests: [
        {
          method: "PUT",
          setupRequest: (req) => {
            const obj = nthApply(n++);
            return {
              ...req,
              path: `/api/v1/objects/VirtualMachine/${obj.name}`,
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ spec: obj.spec }),
            };
          },
        },
      ],
    });
    const local = await inProcessApplyRate(dir);
    const sse = await sseLatencies(target.api, rt);
    await rt.close();
    console.log(`bare Fastify "hello"      ${fmt(hello, 0)} req/s`);
    console.log(`GET object               ${fmt(get, 0)} req/s   ${fmt(get / hello, 2)} x hello (goal >= 0.5)`);
    console.log(
      `PUT apply (a change)     ${fmt(apply, 0)} req/s   ${fmt(apply / local, 2)} x in-process apply ${fmt(local, 0)}/s (goal >= 0.33)`,
    );
    console.log(
      `SSE event after a write  p50 ${fmt(percentile(sse, 50), 2)} ms, p99 ${fmt(percentile(sse, 99), 2)} ms over ${SSE_WRITES} writes (goal p99 < 20 ms)`,
    );
    return { hello, get, apply, local, sseP50: percentile(sse, 50), sseP99: percentile(sse, 99) };
  } finally {
    target.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
