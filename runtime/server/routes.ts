/**
 * The HTTP API as one table: each row maps a Runtime method to a route (HTTP method, path, least
 * role, zod schemas of params, query, body and response). The server registers the rows, the remote
 * client derives its methods from them, and /openapi.json is generated from the same schemas, so the
 * three cannot drift apart. A new Runtime method becomes remote by adding a row.
 */
import { z } from "zod";
import { KINDS, MAX_ADVANCE_SECONDS } from "../../schema";
import { type HistoryQuery, type ObjectInput, PolyvisorError, type Runtime } from "../api";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Whether a caller holding `held` may do what needs `needed`: viewer < operator < admin. */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

const KindParam = z.enum(KINDS).describe("An object kind, e.g. VirtualMachine");
/** Names are checked by the runtime itself (the same refusal as in-process); here only bounded. */
const NameParam = z.string().min(1).max(200).describe("The object's name");
const Spec = z.record(z.string(), z.unknown()).describe("The kind's spec (see the kind's reference page)");

export const RuntimeObjectSchema = z.object({
  kind: z.enum(KINDS),
  name: z.string(),
  spec: z.record(z.string(), z.unknown()),
  status: z.record(z.string(), z.unknown()),
  generation: z.int(),
});

export const RuntimeEventSchema = z.object({
  seq: z.int(),
  timeSeconds: z.number(),
  kind: z.enum(KINDS),
  name: z.string(),
  reason: z.string().describe("One CamelCase word, e.g. Placed, DrsMigrated, HaRestarted"),
  message: z.string(),
});

const Series = z.array(z.number().nullable());
export const ClusterHistorySchema = z
  .object({
    cluster: z.string(),
    times: z.array(z.number()).describe("Simulated seconds of each point: a DRS pass, or the start of an hour averaged"),
    imbalance: z.array(z.number()),
    targetImbalance: z.array(z.number()),
    hosts: z
      .record(z.string(), z.object({ cpuUsedMhz: Series, cpuReservedMhz: Series, memoryUsedMb: Series, memoryReservedMb: Series }))
      .describe("Per host, aligned with times; null where the host was not in the cluster"),
  })
  .meta({ id: "ClusterHistory" });

export const ErrorBodySchema = z.object({
  code: z
    .string()
    .describe(
      "InvalidSpec, Unauthorized, Forbidden, NotFound, Conflict, PayloadTooLarge, Incompatible, InsufficientCapacity or AdmissionControl",
    ),
  message: z.string(),
  kind: z.string().optional(),
  name: z.string().optional(),
  field: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const ClockSchema = z.object({
  nowSeconds: z.number().describe("Simulated seconds since the state was created"),
  speed: z.number().describe("Simulated seconds per wall-clock second; 0 when paused"),
  paused: z.boolean().describe("The clock moves only on advance"),
});
export type Clock = z.infer<typeof ClockSchema>;

export const WhoamiSchema = z.object({
  role: z.enum(ROLES).nullable().describe("What the caller may do; admin on a server without tokens"),
  name: z.string().optional().describe("The token's name"),
});

/** What a row's server side sees: the runtime and the server's clock settings. */
export interface RouteContext {
  runtime: Runtime;
  clock(): { speed: number; paused: boolean };
}

export interface RouteRequest {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
}

type Method = Exclude<keyof Runtime, "close">;
type Args<M extends Method> = Parameters<Runtime[M]>;
type Result<M extends Method> = Awaited<ReturnType<Runtime[M]>>;

export interface Route<M extends Method = Method> {
  method: M;
  http: "GET" | "POST" | "PUT" | "DELETE";
  /** Fastify-style path: `:param` segments. */
  path: string;
  role: Role;
  /** Changes the state: the server runs such calls one at a time and then publishes new events. */
  write: boolean;
  summary: string;
  /** The kind a refusal names when the path has no `:kind` (its name is the `:name`, or `simulation` for the clock). */
  subject?: "Host" | "Cluster" | "Clock" | "VirtualMachine";
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodObject;
  response: z.ZodType;
  /** The success status; 204 sends no body. */
  status: 200 | 201 | 204;
  /** Server: runs the call with the validated request and returns the response body. */
  serve(ctx: RouteContext, req: RouteRequest): Promise<unknown>;
  /** Client: the request for the method's arguments. */
  request(...args: Args<M>): Partial<RouteRequest>;
  /** Client: the method's result from the response body (404 is passed as undefined when `notFoundIsUndefined`). */
  result(body: unknown): Result<M>;
  notFoundIsUndefined?: boolean;
}

function route<M extends Method>(r: Route<M>): Route<M> {
  return r;
}

const ApplyBody = z.strictObject({
  spec: Spec,
  generation: z.int().min(0).optional().describe("The generation the caller last saw: Conflict when the object changed meanwhile"),
});
const ObjectParams = z.strictObject({ kind: KindParam, name: NameParam });
const KindParams = z.strictObject({ kind: KindParam });
const HostParams = z.strictObject({ name: NameParam });

const asObject = (body: unknown) => body as Result<"apply">;
const nothing = () => undefined as never;

/** A spec argument as a record (the runtime refuses anything else with the same message either way). */
const specOf = (spec: object) => spec as Record<string, unknown>;
const withGeneration = (generation: number | undefined) => (generation === undefined ? {} : { generation });

/** A row that writes one object's spec (apply, update), with the generation the caller last read. */
function objectWrite<M extends "apply" | "update">(method: M, http: "PUT" | "POST", path: string, summary: string): Route<M> {
  return {
    method,
    http,
    path,
    role: "admin",
    write: true,
    summary,
    params: ObjectParams,
    body: ApplyBody,
    response: RuntimeObjectSchema,
    status: 200,
    serve: (ctx, { params, body }) =>
      ctx.runtime[method]({
        kind: params.kind as never,
        name: params.name as string,
        spec: body.spec as object,
        ...withGeneration(body.generation as number | undefined),
      }),
    request: ((obj: ObjectInput) => ({
      params: { kind: obj.kind, name: obj.name },
      body: { spec: specOf(obj.spec), ...withGeneration(obj.generation) },
    })) as Route<M>["request"],
    result: asObject as Route<M>["result"],
  };
}

/** A row of any Runtime method. */
export type AnyRoute = { [M in Method]: Route<M> }[Method];

/** A row per Runtime method (close aside): a method added to Runtime without a row does not compile. */
const ROUTE_TABLE: { [M in Method]: Route<M> } = {
  list: route({
    method: "list",
    http: "GET",
    path: "/api/v1/objects/:kind",
    role: "viewer",
    write: false,
    summary: "Every object of a kind, by name",
    params: KindParams,
    response: z.array(RuntimeObjectSchema),
    status: 200,
    serve: (ctx, { params }) => ctx.runtime.list(params.kind as never),
    request: (kind) => ({ params: { kind } }),
    result: (body) => body as Result<"list">,
  }),
  get: route({
    method: "get",
    http: "GET",
    path: "/api/v1/objects/:kind/:name",
    role: "viewer",
    write: false,
    summary: "One object (404 NotFound when there is none)",
    params: ObjectParams,
    response: RuntimeObjectSchema,
    status: 200,
    serve: async (ctx, { params }) => {
      const obj = await ctx.runtime.get(params.kind as never, params.name as string);
      if (!obj) throw notFound(params.kind as string, params.name as string);
      return obj;
    },
    request: (kind, name) => ({ params: { kind, name } }),
    result: asObject,
    notFoundIsUndefined: true,
  }),
  apply: objectWrite(
    "apply",
    "PUT",
    "/api/v1/objects/:kind/:name",
    "Creates or updates an object, then reconciles (placement, admission, accounting)",
  ),
  update: objectWrite("update", "POST", "/api/v1/objects/:kind/:name/update", "Like apply, but NotFound when the object does not exist"),
  create: route({
    method: "create",
    http: "POST",
    path: "/api/v1/objects/:kind",
    role: "admin",
    write: true,
    summary: "Creates an object (Conflict when the name is taken)",
    params: KindParams,
    body: z.strictObject({ name: NameParam, spec: Spec }),
    response: RuntimeObjectSchema,
    status: 201,
    serve: (ctx, { params, body }) =>
      ctx.runtime.create({ kind: params.kind as never, name: body.name as string, spec: body.spec as object }),
    request: (obj) => ({ params: { kind: obj.kind }, body: { name: obj.name, spec: specOf(obj.spec) } }),
    result: asObject,
  }),
  delete: route({
    method: "delete",
    http: "DELETE",
    path: "/api/v1/objects/:kind/:name",
    role: "admin",
    write: true,
    summary: "Deletes an object",
    params: ObjectParams,
    response: z.null(),
    status: 204,
    serve: (ctx, { params }) => ctx.runtime.delete(params.kind as never, params.name as string),
    request: (kind, name) => ({ params: { kind, name } }),
    result: nothing,
  }),
  failHost: route({
    method: "failHost",
    http: "POST",
    path: "/api/v1/hosts/:name/fail",
    subject: "Host",
    role: "operator",
    write: true,
    summary: "Injects a host failure: a crash, or a network isolation",
    params: HostParams,
    body: z.strictObject({ mode: z.enum(["crash", "isolation"]).optional() }),
    response: z.null(),
    status: 204,
    serve: (ctx, { params, body }) =>
      ctx.runtime.failHost(params.name as string, body.mode === undefined ? {} : { mode: body.mode as "crash" }),
    request: (name, opts) => ({ params: { name }, body: opts?.mode === undefined ? {} : { mode: opts.mode } }),
    result: nothing,
  }),
  recoverHost: route({
    method: "recoverHost",
    http: "POST",
    path: "/api/v1/hosts/:name/recover",
    subject: "Host",
    role: "operator",
    write: true,
    summary: "Brings a failed or isolated host back",
    params: HostParams,
    response: z.null(),
    status: 204,
    serve: (ctx, { params }) => ctx.runtime.recoverHost(params.name as string),
    request: (name) => ({ params: { name } }),
    result: nothing,
  }),
  now: route({
    method: "now",
    http: "GET",
    path: "/api/v1/clock",
    role: "viewer",
    write: false,
    summary: "The simulated clock",
    response: ClockSchema,
    status: 200,
    serve: async (ctx) => ({ nowSeconds: await ctx.runtime.now(), ...ctx.clock() }),
    request: () => ({}),
    result: (body) => (body as Clock).nowSeconds,
  }),
  advance: route({
    method: "advance",
    http: "POST",
    path: "/api/v1/clock/advance",
    subject: "Clock",
    role: "operator",
    write: true,
    summary: "Moves the simulated clock; workloads, DRS and HA run",
    body: z.strictObject({
      seconds: z.number().max(MAX_ADVANCE_SECONDS, `must be at most ${MAX_ADVANCE_SECONDS} seconds (366 days) per call`),
    }),
    response: z.null(),
    status: 204,
    serve: (ctx, { body }) => ctx.runtime.advance(body.seconds as number),
    request: (seconds) => ({ body: { seconds } }),
    result: nothing,
  }),
  runDrs: route({
    method: "runDrs",
    http: "POST",
    path: "/api/v1/clusters/:name/drs",
    subject: "Cluster",
    role: "operator",
    write: true,
    summary: "Runs a DRS pass on the cluster now; apply applies its moves whatever the automation level",
    params: HostParams,
    body: z.strictObject({ apply: z.boolean().optional() }),
    response: RuntimeObjectSchema,
    status: 200,
    serve: (ctx, { params, body }) =>
      ctx.runtime.runDrs(params.name as string, body.apply === undefined ? {} : { apply: body.apply as boolean }),
    request: (cluster, opts) => ({ params: { name: cluster }, body: opts?.apply === undefined ? {} : { apply: opts.apply } }),
    result: asObject,
  }),
  events: route({
    method: "events",
    http: "GET",
    path: "/api/v1/events",
    role: "viewer",
    write: false,
    summary: "Events after sequence number sinceSeq, oldest first",
    query: z.strictObject({ sinceSeq: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() }),
    response: z.array(RuntimeEventSchema),
    status: 200,
    serve: (ctx, { query }) => ctx.runtime.events(query.sinceSeq === undefined ? {} : { sinceSeq: query.sinceSeq as number }),
    request: (opts) => ({ query: opts?.sinceSeq === undefined ? {} : { sinceSeq: opts.sinceSeq } }),
    result: (body) => body as Result<"events">,
  }),
  failVm: route({
    method: "failVm",
    http: "POST",
    path: "/api/v1/vms/:name/fail",
    subject: "VirtualMachine",
    role: "operator",
    write: true,
    summary: "The guest stops sending heartbeats, or crashes; with the cluster's VM Monitoring, HA resets it",
    params: HostParams,
    body: z.strictObject({ mode: z.enum(["heartbeat", "crash"]).optional() }),
    response: z.null(),
    status: 204,
    serve: (ctx, { params, body }) =>
      ctx.runtime.failVm(params.name as string, body.mode === undefined ? {} : { mode: body.mode as "heartbeat" }),
    request: (name, opts) => ({ params: { name }, body: opts?.mode === undefined ? {} : { mode: opts.mode } }),
    result: nothing,
  }),
  checkState: route({
    method: "checkState",
    http: "GET",
    path: "/api/v1/state/check",
    role: "viewer",
    write: false,
    summary: "Checks the state without changing it: integrity, schema, rows, specs, usage against guests, timers",
    response: z.object({ ok: z.boolean(), checks: z.array(z.object({ name: z.string(), problems: z.array(z.string()) })) }),
    status: 200,
    serve: (ctx) => ctx.runtime.checkState(),
    request: () => ({}),
    result: (body) => body as Result<"checkState">,
  }),
  settle: route({
    method: "settle",
    http: "POST",
    path: "/api/v1/objects/:kind/:name/settle",
    role: "operator",
    write: true,
    summary: "Moves the clock until the object's pending work (a migration, a move, an evacuation) has landed",
    params: ObjectParams,
    response: z.object({ object: RuntimeObjectSchema.optional(), advancedSeconds: z.number(), events: z.array(RuntimeEventSchema) }),
    status: 200,
    serve: (ctx, { params }) => ctx.runtime.settle(params.kind as never, params.name as string),
    request: (kind, name) => ({ params: { kind, name } }),
    result: (body) => body as Result<"settle">,
  }),
  exportState: route({
    method: "exportState",
    http: "GET",
    path: "/api/v1/state",
    role: "viewer",
    write: false,
    summary: "The whole state as one JSON document: objects, clock, random state, timers and events",
    response: z.record(z.string(), z.unknown()),
    status: 200,
    serve: (ctx) => ctx.runtime.exportState(),
    request: () => ({}),
    result: (body) => body as Result<"exportState">,
  }),
  importState: route({
    method: "importState",
    http: "PUT",
    path: "/api/v1/state",
    role: "admin",
    write: true,
    summary: "Loads an exported state into an empty one",
    // The runtime validates the document itself, with the same refusal as in-process.
    body: z.strictObject({ dump: z.unknown().describe("A document from GET /api/v1/state") }),
    response: z.null(),
    status: 204,
    serve: (ctx, { body }) => ctx.runtime.importState(body.dump),
    request: (dump) => ({ body: { dump } }),
    result: nothing,
  }),
  whatIf: route({
    method: "whatIf",
    http: "POST",
    path: "/api/v1/what-if",
    role: "viewer",
    write: false,
    summary: "Runs steps on a copy of the state and reports what they would do; nothing changes",
    body: z.strictObject({
      steps: z.array(z.unknown()).describe("failHost, recoverHost, addHost, removeHost, advance, apply or delete steps"),
    }),
    response: z.record(z.string(), z.unknown()),
    status: 200,
    serve: (ctx, { body }) => ctx.runtime.whatIf(body.steps as never),
    request: (steps) => ({ body: { steps } }),
    result: (body) => body as Result<"whatIf">,
  }),
  history: route({
    method: "history",
    http: "GET",
    path: "/api/v1/history",
    role: "viewer",
    write: false,
    summary: "Utilization recorded at each DRS pass: per host CPU and memory used and reserved, per cluster imbalance and target",
    query: z.strictObject({
      cluster: NameParam.optional().describe("One cluster; absent: every cluster with history"),
      fromSeconds: z.coerce.number().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe("Simulated time to start from"),
      toSeconds: z.coerce.number().min(0).max(Number.MAX_SAFE_INTEGER).optional().describe("Simulated time to end at"),
    }),
    response: z.array(ClusterHistorySchema),
    status: 200,
    serve: (ctx, { query }) => ctx.runtime.history(query as HistoryQuery),
    request: (query) => ({ query: { ...query } }),
    result: (body) => body as Result<"history">,
  }),
};

export const ROUTES: readonly AnyRoute[] = Object.values(ROUTE_TABLE) as AnyRoute[];

/** The NotFound refusal of a get of an object that does not exist. */
function notFound(kind: string, name: string): PolyvisorError {
  return new PolyvisorError("NotFound", { kind, name }, `no ${kind} named ${name} exists`);
}

/** Fills `:param` segments of a route path. */
export function fillPath(path: string, params: Record<string, unknown> = {}): string {
  return path.replace(/:(\w+)/g, (_, key: string) => encodeURIComponent(String(params[key])));
}
