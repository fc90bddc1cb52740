/**
 * The Runtime contract, run against the embedded runtime and against a real `polyvisor serve`
 * process (dist/, a free loopback port, paused clock) through `openRuntime({ url })`. Each target
 * also records a transcript of every result, refusal and event; the two transcripts must be equal:
 * same seed and same requests give the same objects, refusals and events.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { type Runtime, type RuntimeObject, isPolyvisorError, openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { startServer } from "../support/server-process";
import { dumpStateFile, tempDir } from "../support/state-file";

interface Target {
  name: string;
  open(path: string): Promise<{ rt: Runtime; stop(): Promise<unknown> }>;
}

const SEED = 7;
const TARGETS: Target[] = [
  { name: "embedded", open: async (path) => ({ rt: await openRuntime({ path, seed: SEED }), stop: async () => undefined }) },
  {
    name: "server",
    open: async (path) => {
      const server = await startServer(path, ["--paused", "--seed", String(SEED)]);
      return { rt: await openRuntime({ url: server.url }), stop: () => server.stop() };
    },
  },
];

const transcripts = new Map<string, unknown[]>();
const tmp = tempDir();
afterAll(() => tmp.cleanup());

afterAll(() => {
  const [embedded, server] = TARGETS.map((t) => transcripts.get(t.name));
  expect(server).toEqual(embedded);
});

describe.each(TARGETS)("Runtime contract: $name", (target) => {
  let rt: Runtime;
  let stop: () => Promise<unknown>;
  const path = join(tmp.dir, `${target.name}.db`);
  const transcript: unknown[] = [];
  transcripts.set(target.name, transcript);

  beforeAll(async () => {
    ({ rt, stop } = await target.open(path));
  });
  afterAll(async () => {
    transcript.push(await rt.events());
    await rt.close();
    await stop();
  });

  /** The refusal of `attempt`, which must change nothing in the state file. */
  async function refusal(attempt: () => Promise<unknown>) {
    const before = dumpStateFile(path);
    const error = await attempt().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, "the operation should have been refused").toBeInstanceOf(Error);
    expect(isPolyvisorError(error)).toBe(true);
    expect(dumpStateFile(path)).toBe(before);
    const e = error as Error & { code: string; field?: string; kind: string; objectName: string };
    const shape = { code: e.code, field: e.field, kind: e.kind, objectName: e.objectName, message: e.message };
    transcript.push(shape);
    return shape;
  }

  const record = <T>(value: T): T => {
    transcript.push(value);
    return value;
  };

  it("apply, get and list return the same objects", async () => {
    for (const obj of [cluster("prod", { ha: { enabled: true } }), esxHost("esx1"), esxHost("esx2"), esxHost("esx3")])
      record(await rt.apply(obj));
    const db1 = record(await rt.apply(vm("db1", { memory: { reservationMb: 8192 } })));
    expect(db1.status).toMatchObject({ powerState: "on" });
    expect(await rt.get("VirtualMachine", "db1")).toEqual(db1);
    const hosts = record(await rt.list("Host"));
    expect(hosts.map((h) => h.name)).toEqual(["esx1", "esx2", "esx3"]);
    expect(await rt.get("VirtualMachine", "nope")).toBeUndefined();
  });

  it("create refuses a taken name; update refuses a missing object", async () => {
    expect(await refusal(() => rt.create(vm("db1")))).toMatchObject({ code: "Conflict", kind: "VirtualMachine", objectName: "db1" });
    expect(await refusal(() => rt.update(vm("web9")))).toMatchObject({ code: "NotFound", kind: "VirtualMachine", objectName: "web9" });
    const created = record(await rt.create(vm("web1", { vcpus: 1 })));
    expect(created.generation).toBe(1);
    const updated = record(await rt.update(vm("web1", { vcpus: 2 })));
    expect(updated.generation).toBe(2);
  });

  it("refusals keep their code, field and message", async () => {
    expect(await refusal(() => rt.apply(vm("x", { memoryMb: -512 })))).toMatchObject({
      code: "InvalidSpec",
      field: "memoryMb",
      message: expect.stringContaining("(got -512)"),
    });
    expect(await refusal(() => rt.apply(vm("x", { host: "esx9" })))).toMatchObject({ code: "NotFound", field: "host" });
    expect(await refusal(() => rt.apply({ kind: "Blade" as never, name: "b1", spec: {} }))).toMatchObject({
      code: "InvalidSpec",
      field: "kind",
      message: expect.stringContaining("unknown kind"),
    });
    expect(await refusal(() => rt.apply(vm("x", { memoryGb: 4 })))).toMatchObject({ code: "InvalidSpec", field: "memoryGb" });
    expect(await refusal(() => rt.apply(vm("huge", { vcpus: 4, memoryMb: 4096, cpu: { reservationMhz: 45000 } })))).toMatchObject({
      code: expect.stringMatching(/InsufficientCapacity|AdmissionControl/),
    });
    expect(await refusal(() => rt.failHost("esx1", { mode: "meltdown" as never }))).toMatchObject({ code: "InvalidSpec", kind: "Host" });
    expect(await refusal(() => rt.runDrs("nowhere"))).toMatchObject({ code: "NotFound", kind: "Cluster", objectName: "nowhere" });
    expect(await refusal(() => rt.advance(-5))).toMatchObject({ code: "InvalidSpec", field: "seconds" });
  });

  it("a host failure and recovery, with HA restarts as the clock moves", async () => {
    const host = (record(await rt.get("VirtualMachine", "db1")) as RuntimeObject<unknown, { currentHost: string }>).status.currentHost;
    const since = (await rt.events()).at(-1)!.seq;
    await rt.failHost(host, { mode: "crash" });
    await rt.advance(300);
    expect(await rt.now()).toBe(300);
    const events = record(await rt.events({ sinceSeq: since }));
    expect(events.every((e) => e.seq > since)).toBe(true);
    expect(events.map((e) => e.reason)).toContain("HaRestarted");
    const moved = (await rt.get("VirtualMachine", "db1")) as RuntimeObject<unknown, { currentHost: string }>;
    expect(moved.status.currentHost).not.toBe(host);
    await rt.recoverHost(host);
    expect((record(await rt.get("Host", host)) as RuntimeObject<unknown, { state: string }>).status.state).toBe("connected");
  });

  it("a DRS pass returns the cluster; delete removes an object", async () => {
    const cl = record(await rt.runDrs("prod", { apply: true }));
    expect(cl.kind).toBe("Cluster");
    await rt.delete("VirtualMachine", "web1");
    expect(await rt.get("VirtualMachine", "web1")).toBeUndefined();
    record(await rt.list("VirtualMachine"));
  });
});
