/**
 * The server's shell in this process (Fastify's inject over a real SQLite state): the console's
 * files, the OpenAPI document against the route table, metrics counters, and `generation` reaching
 * the runtime.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObjectInput, Runtime } from "../../runtime";
import { LocalRuntime } from "../../runtime/local-runtime";
import { type PolyvisorServer, buildServer } from "../../runtime/server/app";
import { ROUTES } from "../../runtime/server/routes";
import { TokenRegistry } from "../../runtime/server/tokens";
import { SqliteStore } from "../../runtime/store/sqlite";
import { esxHost, vm } from "../support/fixtures";
import { tempDir } from "../support/state-file";

const tmp = tempDir();
let store: SqliteStore;
let server: PolyvisorServer;
let token: string;
const applied: ObjectInput[] = [];

beforeAll(async () => {
  const consoleDir = join(tmp.dir, "console");
  mkdirSync(consoleDir);
  writeFileSync(join(consoleDir, "index.html"), "<!doctype html><title>Polyvisor</title>");
  store = new SqliteStore(join(tmp.dir, "state.db"), { seed: 1 });
  const local = new LocalRuntime(store);
  // The real runtime, noting what apply receives.
  const runtime: Runtime = Object.assign(Object.create(local) as Runtime, {
    apply: (obj: ObjectInput) => {
      applied.push(obj);
      return local.apply(obj);
    },
  });
  const tokens = new TokenRegistry(store);
  token = await tokens.create("admin", "test", new Date(0));
  server = await buildServer({ runtime, tokens, speed: 0, consoleDir, version: "0.0.0-test", log: () => undefined });
  await server.start();
});

afterAll(async () => {
  await server.close();
  await store.close();
  tmp.cleanup();
});

const inject = (method: "GET" | "PUT" | "POST", url: string, body?: object) =>
  server.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) });

describe("the server shell", () => {
  it("serves the console's files at / without a token, while /api still needs one", async () => {
    const page = await server.app.inject({ method: "GET", url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<title>Polyvisor</title>");
    expect((await server.app.inject({ method: "GET", url: "/api/v1/whoami" })).statusCode).toBe(401);
    expect((await inject("GET", "/api/v1/whoami")).json()).toEqual({ role: "admin", name: "test" });
  });

  it("documents every row of the route table in /openapi.json, with the kinds' spec schemas", async () => {
    const doc = (await server.app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    for (const route of ROUTES) {
      const op = doc.paths[route.path.replace(/:(\w+)/g, "{$1}")]?.[route.http.toLowerCase()];
      expect(op, `${route.http} ${route.path}`).toMatchObject({ operationId: route.method });
      expect(Boolean(op.requestBody)).toBe(route.body !== undefined);
    }
    expect(doc.paths["/api/v1/objects/{kind}/{name}"].put.requestBody.content["application/json"].schema.required).toEqual(["spec"]);
    expect(doc.components.schemas.VirtualMachineSpec.properties.vcpus).toBeDefined();
  });

  it("pauses, resumes and changes the speed of the server's clock, refusing a bad speed", async () => {
    const run = await inject("POST", "/api/v1/clock/speed", { speed: 60 });
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ speed: 60, paused: false });
    expect((await inject("GET", "/api/v1/clock")).json()).toMatchObject({ speed: 60, paused: false });
    expect((await inject("POST", "/api/v1/clock/speed", { speed: -1 })).json()).toMatchObject({ code: "InvalidSpec", field: "speed" });
    expect((await inject("POST", "/api/v1/clock/speed", { speed: 0 })).json()).toMatchObject({ speed: 0, paused: true });
    expect((await inject("GET", "/api/v1/clock")).json()).toMatchObject({ speed: 0, paused: true });
  });

  it("passes a PUT's generation to the runtime's apply", async () => {
    expect((await inject("PUT", "/api/v1/objects/Cluster/prod", { spec: {} })).statusCode).toBe(200);
    expect((await inject("PUT", "/api/v1/objects/Cluster/prod", { spec: {}, generation: 1 })).statusCode).toBe(200);
    expect(applied.slice(-2)).toEqual([
      { kind: "Cluster", name: "prod", spec: {} },
      { kind: "Cluster", name: "prod", spec: {}, generation: 1 },
    ]);
  });

  it("counts HA restarts from the events it publishes", async () => {
    await inject("PUT", "/api/v1/objects/Cluster/prod", { spec: { ha: { enabled: true } } });
    for (const obj of [esxHost("esx1"), esxHost("esx2"), vm("db1"), vm("db2")])
      expect((await inject("PUT", `/api/v1/objects/${obj.kind}/${obj.name}`, { spec: obj.spec })).statusCode).toBe(200);
    const host = (await inject("GET", "/api/v1/objects/VirtualMachine/db1")).json().status.currentHost as string;
    expect((await inject("POST", `/api/v1/hosts/${host}/fail`, {})).statusCode).toBe(204);
    expect((await inject("POST", "/api/v1/clock/advance", { seconds: 600 })).statusCode).toBe(204);
    const restarted = (await inject("GET", "/api/v1/events")).json().filter((e: { reason: string }) => e.reason === "HaRestarted").length;
    expect(restarted).toBeGreaterThan(0);
    const metrics = (await inject("GET", "/metrics")).body;
    expect(metrics).toContain(`polyvisor_ha_restarts_total ${restarted}`);
    expect(metrics).toMatch(new RegExp(`polyvisor_host_guests\\{host="${host === "esx1" ? "esx2" : "esx1"}",cluster="prod"\\} 2`));
  });
});
