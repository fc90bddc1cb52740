/**
 * A server's refusals of unauthenticated, unauthorized and bad requests: each answered with its
 * status and the JSON error shape, each leaving the state exactly as it was (a full dump before and
 * after), and the process still serving afterwards.
 */
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { MAX_ADVANCE_SECONDS } from "../../schema";
import { cluster, esxHost, vm } from "../support/fixtures";
import { CLI, type ServerProcess, startServer } from "../support/server-process";
import { dumpStateFile, tempDir } from "../support/state-file";

const tmp = tempDir();
const state = join(tmp.dir, "state.db");
let server: ServerProcess;
const tokens: Record<"viewer" | "operator" | "admin", string> = { viewer: "", operator: "", admin: "" };

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, "--state", state, ...args], {
    encoding: "utf8",
    env: { ...process.env, POLYVISOR_URL: "", POLYVISOR_TOKEN: "" },
  });
}

beforeAll(async () => {
  const rt = await openRuntime({ path: state });
  for (const obj of [cluster("prod", { ha: { enabled: true } }), esxHost("esx1"), esxHost("esx2"), vm("db1")]) await rt.apply(obj);
  await rt.close();
  server = await startServer(state);
  for (const role of ["viewer", "operator", "admin"] as const) {
    const created = cli("token", "create", "--role", role, "--name", `${role}-1`);
    expect(created.status).toBe(0);
    tokens[role] = created.stdout.trim();
  }
});

afterAll(async () => {
  expect(await server.stop()).toBe(0);
  tmp.cleanup();
});

interface Call {
  method?: string;
  path: string;
  token?: string;
  body?: string | object;
  headers?: Record<string, string>;
}

async function call({
  method = "GET",
  path,
  token,
  body,
  headers = {},
}: Call): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
  const init: RequestInit = { method, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const res = await fetch(server.url + path, init);
  const text = await res.text();
  return {
    status: res.status,
    json: text && res.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : undefined,
  };
}

/** The request is refused with `status` and `code` (and the body's other fields as given), and the state is unchanged. */
async function expectRefused(request: Call, status: number, expected: Record<string, unknown>) {
  const before = dumpStateFile(state);
  const { status: got, json } = await call(request);
  expect({ status: got, ...json }).toMatchObject({ status, ...expected });
  expect(typeof json!.message).toBe("string");
  expect((json!.message as string).length).toBeLessThanOrEqual(4000);
  expect(dumpStateFile(state)).toBe(before);
  return json!;
}

describe("tokens", () => {
  it("token create prints the token alone; the state holds only its SHA-256; list never shows it", () => {
    expect(tokens.admin).toMatch(/^pv_[A-Za-z0-9_-]{43}$/);
    const db = new Database(state, { readonly: true });
    const rows = db.prepare("SELECT * FROM tokens ORDER BY name").all() as { name: string; hash: string }[];
    db.close();
    expect(rows.map((r) => r.name)).toEqual(["admin-1", "operator-1", "viewer-1"]);
    expect(rows.find((r) => r.name === "admin-1")!.hash).toBe(createHash("sha256").update(tokens.admin).digest("hex"));
    expect(JSON.stringify(rows)).not.toContain(tokens.admin);
    const list = cli("token", "list");
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/admin-1\s+admin/);
    for (const t of Object.values(tokens)) expect(list.stdout).not.toContain(t);
  });

  it("a taken name or an unknown role is refused", () => {
    const taken = cli("token", "create", "--role", "viewer", "--name", "viewer-1");
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain("Conflict");
    expect(cli("token", "create", "--role", "root").status).toBe(2);
  });
});

describe("401 before any lookup", () => {
  const noToken = [
    { method: "GET", path: "/api/v1/objects/VirtualMachine/db1" },
    { method: "GET", path: "/api/v1/objects/VirtualMachine/nope" },
    { method: "GET", path: "/api/v1/objects/Blade" },
    { method: "GET", path: "/api/v1/no-such-route" },
    { method: "PUT", path: "/api/v1/objects/VirtualMachine/db1", body: { spec: {} } },
    { method: "DELETE", path: "/api/v1/objects/VirtualMachine/db1" },
    { method: "POST", path: "/api/v1/hosts/esx1/fail", body: {} },
    { method: "GET", path: "/api/v1/whoami" },
    { method: "GET", path: "/metrics" },
  ];
  it.each(noToken)("$method $path without a token: 401, the same body whether the object exists or not", async (request) => {
    const body = await expectRefused(request, 401, { code: "Unauthorized" });
    expect(body).toEqual(await expectRefused({ method: "GET", path: "/api/v1/objects/Host/esx1" }, 401, { code: "Unauthorized" }));
  });

  it.each([
    ["a wrong token", { authorization: "Bearer pv_wrong" }],
    ["a token of the wrong length", { authorization: `Bearer ${"x".repeat(5000)}` }],
    ["another scheme", { authorization: `Basic ${Buffer.from("admin:admin").toString("base64")}` }],
  ])("%s: 401", async (_, headers) => {
    await expectRefused({ method: "PUT", path: "/api/v1/objects/VirtualMachine/db1", body: { spec: {} }, headers }, 401, {
      code: "Unauthorized",
    });
  });

  it("/healthz and /openapi.json need no token", async () => {
    expect((await call({ path: "/healthz" })).status).toBe(200);
    const doc = await call({ path: "/openapi.json" });
    expect(doc.status).toBe(200);
    expect(doc.json).toMatchObject({ openapi: "3.1.0" });
  });

  it("a revoked token is refused from then on", async () => {
    const created = cli("token", "create", "--role", "admin", "--name", "temp");
    const temp = created.stdout.trim();
    expect((await call({ path: "/api/v1/whoami", token: temp })).json).toEqual({ role: "admin", name: "temp" });
    expect(cli("token", "revoke", "temp").status).toBe(0);
    await expectRefused({ path: "/api/v1/objects/Host", token: temp }, 401, { code: "Unauthorized" });
    expect(cli("token", "revoke", "temp").status).toBe(1);
  });
});

describe("roles", () => {
  it("a viewer reads but may not fail hosts, move the clock, run DRS or apply: 403", async () => {
    expect((await call({ path: "/api/v1/objects/Host", token: tokens.viewer })).status).toBe(200);
    expect((await call({ path: "/metrics", token: tokens.viewer })).status).toBe(200);
    await expectRefused({ method: "POST", path: "/api/v1/hosts/esx1/fail", body: {}, token: tokens.viewer }, 403, { code: "Forbidden" });
    await expectRefused({ method: "POST", path: "/api/v1/clock/advance", body: { seconds: 60 }, token: tokens.viewer }, 403, {
      code: "Forbidden",
    });
    await expectRefused({ method: "POST", path: "/api/v1/clusters/prod/drs", body: {}, token: tokens.viewer }, 403, { code: "Forbidden" });
    await expectRefused(
      { method: "PUT", path: "/api/v1/objects/VirtualMachine/db2", body: { spec: vm("db2").spec }, token: tokens.viewer },
      403,
      { code: "Forbidden" },
    );
  });

  it("an operator moves the clock and fails hosts but may not apply, create or delete: 403", async () => {
    await expectRefused(
      { method: "PUT", path: "/api/v1/objects/VirtualMachine/db2", body: { spec: vm("db2").spec }, token: tokens.operator },
      403,
      { code: "Forbidden" },
    );
    await expectRefused(
      { method: "POST", path: "/api/v1/objects/VirtualMachine", body: { name: "db2", spec: vm("db2").spec }, token: tokens.operator },
      403,
      { code: "Forbidden" },
    );
    await expectRefused({ method: "DELETE", path: "/api/v1/objects/VirtualMachine/db1", token: tokens.operator }, 403, {
      code: "Forbidden",
    });
    expect((await call({ method: "POST", path: "/api/v1/clock/advance", body: { seconds: 60 }, token: tokens.operator })).status).toBe(204);
    expect(
      (await call({ method: "POST", path: "/api/v1/hosts/esx2/fail", body: { mode: "isolation" }, token: tokens.operator })).status,
    ).toBe(204);
    expect((await call({ method: "POST", path: "/api/v1/hosts/esx2/recover", token: tokens.operator })).status).toBe(204);
  });

  it("an admin applies, and the remote runtime refuses a low role with Forbidden", async () => {
    expect(
      (await call({ method: "PUT", path: "/api/v1/objects/VirtualMachine/db2", body: { spec: vm("db2").spec }, token: tokens.admin }))
        .status,
    ).toBe(200);
    const viewer = await openRuntime({ url: server.url, token: tokens.viewer });
    await expect(viewer.advance(1)).rejects.toMatchObject({ code: "Forbidden" });
    await expect(openRuntime({ url: server.url }).then((rt) => rt.list("Host"))).rejects.toMatchObject({ code: "Unauthorized" });
  });
});

describe("bad requests change nothing and the process keeps serving", () => {
  const admin = () => tokens.admin;
  const cases: [string, () => Call, number, Record<string, unknown>][] = [
    [
      "malformed JSON",
      () => ({ method: "PUT", path: "/api/v1/objects/VirtualMachine/db1", body: '{"spec": {', token: admin() }),
      400,
      { code: "InvalidSpec", field: "body" },
    ],
    [
      "a body that is not an object",
      () => ({ method: "PUT", path: "/api/v1/objects/VirtualMachine/db1", body: "[1,2]", token: admin() }),
      400,
      { code: "InvalidSpec" },
    ],
    [
      "an unknown field in the body",
      () => ({ method: "PUT", path: "/api/v1/objects/VirtualMachine/db1", body: { spec: vm("db1").spec, force: true }, token: admin() }),
      400,
      { code: "InvalidSpec", field: "force" },
    ],
    [
      "an unknown field in the spec",
      () => ({
        method: "PUT",
        path: "/api/v1/objects/VirtualMachine/db1",
        body: { spec: { ...vm("db1").spec, memoryGb: 4 } },
        token: admin(),
      }),
      400,
      { code: "InvalidSpec", field: "memoryGb", name: "db1" },
    ],
    [
      "a wrong type",
      () => ({
        method: "PUT",
        path: "/api/v1/objects/VirtualMachine/db1",
        body: { spec: { ...vm("db1").spec, vcpus: "two" } },
        token: admin(),
      }),
      400,
      { code: "InvalidSpec", field: "vcpus" },
    ],
    [
      "a spec that is not an object",
      () => ({ method: "PUT", path: "/api/v1/objects/VirtualMachine/db1", body: { spec: "x" }, token: admin() }),
      400,
      { code: "InvalidSpec", field: "spec" },
    ],
    [
      "a __proto__ key in the body",
      () => ({
        method: "PUT",
        path: "/api/v1/objects/VirtualMachine/db1",
        body: '{"spec": {"__proto__": {"isAdmin": true}}}',
        token: admin(),
      }),
      400,
      { code: "InvalidSpec", field: "body.spec.__proto__" },
    ],
    [
      "a constructor.prototype key",
      () => ({
        method: "PUT",
        path: "/api/v1/objects/Cluster/prod",
        body: '{"spec": {"constructor": {"prototype": {"x": 1}}}}',
        token: admin(),
      }),
      400,
      { code: "InvalidSpec", field: "body.spec.constructor" },
    ],
    [
      "the name __proto__",
      () => ({ method: "PUT", path: "/api/v1/objects/VirtualMachine/__proto__", body: { spec: vm("x").spec }, token: admin() }),
      400,
      { code: "InvalidSpec", field: "name" },
    ],
    [
      "the name ../x",
      () => ({ method: "PUT", path: "/api/v1/objects/VirtualMachine/..%2Fx", body: { spec: vm("x").spec }, token: admin() }),
      400,
      { code: "InvalidSpec", field: "name" },
    ],
    [
      "a create named ../x",
      () => ({ method: "POST", path: "/api/v1/objects/VirtualMachine", body: { name: "../x", spec: vm("x").spec }, token: admin() }),
      400,
      { code: "InvalidSpec", field: "name" },
    ],
    [
      "a kind that does not exist",
      () => ({ method: "PUT", path: "/api/v1/objects/Blade/b1", body: { spec: {} }, token: admin() }),
      400,
      { code: "InvalidSpec", field: "kind", kind: "Blade" },
    ],
    [
      "listing a kind that does not exist",
      () => ({ path: "/api/v1/objects/Blade", token: admin() }),
      400,
      { code: "InvalidSpec", field: "kind" },
    ],
    [
      "a body over 1 MiB",
      () => ({
        method: "PUT",
        path: "/api/v1/objects/VirtualMachine/db1",
        body: JSON.stringify({ spec: { pad: "x".repeat(1024 * 1024) } }),
        token: admin(),
      }),
      413,
      { code: "PayloadTooLarge" },
    ],
    [
      "a negative advance",
      () => ({ method: "POST", path: "/api/v1/clock/advance", body: { seconds: -60 }, token: admin() }),
      400,
      { code: "InvalidSpec", field: "seconds", kind: "Clock" },
    ],
    [
      "an advance over the cap",
      () => ({ method: "POST", path: "/api/v1/clock/advance", body: { seconds: MAX_ADVANCE_SECONDS + 1 }, token: admin() }),
      400,
      { code: "InvalidSpec", field: "seconds", message: expect.stringContaining("366 days") },
    ],
    [
      "an advance that is not a number",
      () => ({ method: "POST", path: "/api/v1/clock/advance", body: { seconds: "1e400" }, token: admin() }),
      400,
      { code: "InvalidSpec", field: "seconds" },
    ],
    [
      "a sinceSeq that is not a number",
      () => ({ path: "/api/v1/events?sinceSeq=abc", token: admin() }),
      400,
      { code: "InvalidSpec", field: "sinceSeq" },
    ],
    [
      "an unknown query parameter",
      () => ({ path: "/api/v1/events?since=3", token: admin() }),
      400,
      { code: "InvalidSpec", field: "since" },
    ],
    [
      "a failure mode that does not exist",
      () => ({ method: "POST", path: "/api/v1/hosts/esx1/fail", body: { mode: "meltdown" }, token: admin() }),
      400,
      { code: "InvalidSpec", field: "mode", kind: "Host" },
    ],
    [
      "a body where none is taken",
      () => ({ method: "POST", path: "/api/v1/hosts/esx1/recover", body: { force: true }, token: admin() }),
      400,
      { code: "InvalidSpec" },
    ],
    [
      "a body that is not JSON",
      () => ({
        method: "PUT",
        path: "/api/v1/objects/VirtualMachine/db1",
        body: "spec=1",
        headers: { "content-type": "text/plain" },
        token: admin(),
      }),
      400,
      { code: "InvalidSpec", field: "body" },
    ],
    [
      "a stale generation",
      () => ({ method: "PUT", path: "/api/v1/objects/VirtualMachine/db1", body: { spec: vm("db1").spec, generation: -1 }, token: admin() }),
      400,
      { code: "InvalidSpec", field: "generation" },
    ],
    ["a route that does not exist", () => ({ path: "/api/v1/nothing", token: admin() }), 404, { code: "NotFound" }],
    [
      "an object that does not exist",
      () => ({ path: "/api/v1/objects/VirtualMachine/nope", token: admin() }),
      404,
      { code: "NotFound", kind: "VirtualMachine", name: "nope" },
    ],
  ];
  it.each(cases)("%s", async (_, request, status, expected) => {
    await expectRefused(request(), status, expected);
    expect((await call({ path: "/healthz" })).status).toBe(200);
  });

  it("a long name is cut in the answer, never echoed whole", async () => {
    const json = await expectRefused(
      { method: "PUT", path: `/api/v1/objects/VirtualMachine/${"a".repeat(150)}`, body: { spec: vm("x").spec }, token: tokens.admin },
      400,
      { code: "InvalidSpec", field: "name" },
    );
    expect(JSON.stringify(json).length).toBeLessThan(1200);
    await expectRefused(
      { method: "PUT", path: `/api/v1/objects/VirtualMachine/${"a".repeat(5000)}`, body: { spec: vm("x").spec }, token: tokens.admin },
      400,
      { code: "InvalidSpec", field: "path" },
    );
  });
});
