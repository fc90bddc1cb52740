/**
 * `polyvisor serve` as a process: the event stream (ids, resuming after Last-Event-ID), the clock
 * at --speed and --paused, metrics, start-up refusals and a clean SIGTERM.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RuntimeEvent, openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { CLI, startServer } from "../support/server-process";
import { tempDir } from "../support/state-file";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let files = 0;
const freshState = () => join(tmp.dir, `state-${++files}.db`);

/** Reads Server-Sent Events from `url` until `count` arrived, then closes the connection. */
async function readEvents(
  url: string,
  count: number,
  headers: Record<string, string> = {},
  onLive?: () => void,
): Promise<{ id: string; event: RuntimeEvent }[]> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const received: { id: string; event: RuntimeEvent }[] = [];
  let buffer = "";
  while (received.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block === ": live") onLive?.();
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (id !== undefined && data !== undefined) received.push({ id, event: JSON.parse(data) });
    }
  }
  controller.abort();
  return received.slice(0, count);
}

describe("the event stream", () => {
  it("sends the backlog and then each new event with id = seq, and resumes after Last-Event-ID", async () => {
    const server = await startServer(freshState());
    try {
      const rt = await openRuntime({ url: server.url });
      await rt.apply(cluster("prod"));
      await rt.apply(esxHost("esx1"));
      const live = readEvents(`${server.url}/api/v1/events/stream`, 4);
      await rt.apply(vm("db1"));
      const all = await rt.events();
      const streamed = await live;
      expect(streamed.map((s) => s.event)).toEqual(all.slice(0, 4));
      expect(streamed.map((s) => s.id)).toEqual(all.slice(0, 4).map((e) => String(e.seq)));
      const resumed = await readEvents(`${server.url}/api/v1/events/stream`, 1, { "last-event-id": String(all[1].seq) });
      expect(resumed[0].event).toEqual(all[2]);
      const fromQuery = await readEvents(`${server.url}/api/v1/events/stream?sinceSeq=${all[0].seq}`, 1);
      expect(fromQuery[0].event).toEqual(all[1]);
      await rt.close();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it("carries the events of another process writing the same state file", async () => {
    const state = freshState();
    const server = await startServer(state);
    try {
      const direct = await openRuntime({ path: state });
      // Written only once the stream is live, so the event cannot come as backlog.
      let written: Promise<unknown> = Promise.resolve();
      const live = await readEvents(`${server.url}/api/v1/events/stream`, 1, {}, () => (written = direct.apply(cluster("other"))));
      await written;
      expect(live[0].event).toMatchObject({ kind: "Cluster", name: "other", reason: "Created" });
      await direct.close();
    } finally {
      await server.stop();
    }
  });

  it("SIGTERM ends open streams and the process exits 0", async () => {
    const server = await startServer(freshState());
    const res = await fetch(`${server.url}/api/v1/events/stream`);
    const body = res.body!.getReader();
    expect(await server.stop()).toBe(0);
    let done = false;
    while (!done) done = (await body.read()).done;
    expect(done).toBe(true);
  });
});

describe("the clock", () => {
  it("follows wall time at --speed: DRS passes happen while nobody calls", async () => {
    const server = await startServer(freshState(), ["--speed", "3600"]);
    try {
      const rt = await openRuntime({ url: server.url });
      await rt.apply(cluster("prod"));
      await rt.apply(esxHost("esx1"));
      let clock = { nowSeconds: 0, speed: 0, paused: true };
      while (clock.nowSeconds < 600) clock = (await (await fetch(`${server.url}/api/v1/clock`)).json()) as typeof clock;
      expect(clock).toMatchObject({ speed: 3600, paused: false });
      // The periodic DRS pass (every 300 s) ran on its own: the cluster's status says when.
      const prod = (await rt.get("Cluster", "prod"))!.status as { drs: { lastPassSeconds: number | null } };
      expect(prod.drs.lastPassSeconds).toBeGreaterThanOrEqual(300);
      await rt.close();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it("--paused moves only on advance", async () => {
    const server = await startServer(freshState(), ["--paused"]);
    try {
      const rt = await openRuntime({ url: server.url });
      await rt.apply(cluster("prod"));
      expect(await (await fetch(`${server.url}/api/v1/clock`)).json()).toEqual({ nowSeconds: 0, speed: 0, paused: true });
      await rt.advance(90);
      expect(await rt.now()).toBe(90);
      await rt.close();
    } finally {
      await server.stop();
    }
  });
});

describe("metrics and identity", () => {
  it("/metrics shows host capacity and API requests; whoami on a server without tokens is admin", async () => {
    const server = await startServer(freshState());
    try {
      const rt = await openRuntime({ url: server.url });
      await rt.apply(cluster("prod"));
      await rt.apply(esxHost("esx1"));
      expect(await (await fetch(`${server.url}/api/v1/whoami`)).json()).toEqual({ role: "admin" });
      const text = await (await fetch(`${server.url}/metrics`)).text();
      expect(text).toContain('polyvisor_host_cpu_capacity_mhz{host="esx1",cluster="prod"} 41600');
      expect(text).toContain('polyvisor_host_memory_capacity_mb{host="esx1",cluster="prod"} 65536');
      expect(text).toContain('polyvisor_cluster_imbalance{cluster="prod"}');
      expect(text).toMatch(/polyvisor_api_requests_total\{method="PUT",route="\/api\/v1\/objects\/:kind\/:name",status="200"\} 2/);
      await rt.close();
    } finally {
      await server.stop();
    }
  });
});

describe("start-up", () => {
  const serve = (state: string, ...args: string[]) =>
    spawnSync(process.execPath, [CLI, "--state", state, "serve", "--port", "0", ...args], { encoding: "utf8", timeout: 20_000 });

  it("refuses a non-loopback address while no token exists (exit 2, saying to create one)", () => {
    const result = serve(freshState(), "--host", "0.0.0.0");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("token create --role admin");
    expect(result.stdout).toBe("");
  });

  it("--speed and --paused together are bad usage", () => {
    expect(serve(freshState(), "--speed", "2", "--paused").status).toBe(2);
    expect(serve(freshState(), "--speed", "-1").status).toBe(2);
  });

  it("listens on a non-loopback address once a token exists", async () => {
    const state = freshState();
    const token = spawnSync(process.execPath, [CLI, "--state", state, "token", "create", "--role", "admin"], {
      encoding: "utf8",
    }).stdout.trim();
    const server = await startServer(state, ["--paused", "--host", "0.0.0.0"]);
    try {
      expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      const rt = await openRuntime({ url: server.url.replace("0.0.0.0", "127.0.0.1"), token });
      expect(await rt.list("Host")).toEqual([]);
      await rt.close();
    } finally {
      await server.stop();
    }
  });
});
