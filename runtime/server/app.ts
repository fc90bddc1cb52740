/**
 * The HTTP server: a thin shell over the runtime facade. Registers the route table, checks tokens
 * before anything else, validates every request part with the table's zod schemas, runs writes one
 * at a time, streams events, and answers every refusal with the JSON error shape.
 */
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { existsSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { z } from "zod";
import { PolyvisorError, type Runtime, type RuntimeEvent, isPolyvisorError, isStateUnusableError } from "../api";
import { isManagedKind } from "../../schema";
import { managedKind } from "../index";
import { STATUS_OF, bounded, errorBody, invalidRequest, unauthorized } from "./errors";
import { EventHub } from "./event-hub";
import { ServerMetrics } from "./metrics";
import { openApiDocument } from "./openapi";
import { ROUTES, type AnyRoute, type Role, type RouteRequest, roleAllows } from "./routes";
import type { Principal, TokenRegistry } from "./tokens";
import type { Leadership } from "./leadership";
import { isLeaseLost } from "../store/postgres-lease";
import { WallClock } from "./wall-clock";

export const BODY_LIMIT_BYTES = 1024 * 1024;
const MAX_PARAM_CHARS = 200;
/** Simulated seconds per wall second; 0 pauses the clock (the bound of `serve --speed`). */
const ClockSpeedBody = z.strictObject({ speed: z.number().min(0).max(1_000_000) });
const HEARTBEAT_MS = 15_000;
const POLL_MS = 1_000;

export interface ServerOptions {
  runtime: Runtime;
  tokens: TokenRegistry;
  /** Simulated seconds per wall second; 0: paused (moves only on advance). */
  speed: number;
  /** Static files served at `/` when the folder exists (the web console). */
  consoleDir?: string;
  /** The package version, for /openapi.json. */
  version: string;
  /** Where failures of the server's own work (clock ticks, internal errors) are reported. */
  log(line: string): void;
  /**
   * Several servers on one datacenter: the clock ticks only while `leadership` holds the controller
   * lease, and advances through `runtime`, whose writes are fenced by the lease's epoch.
   */
  controller?: { leadership: Leadership; runtime: Runtime };
}

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Runs writes one at a time: the runtime sees the same sequence from any number of clients. */
class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** `/api...` and `/metrics` need a token once one exists; the console's files, /healthz and /openapi.json do not. */
function isProtected(url: string): boolean {
  const path = url.split("?")[0].replace(/\/+/g, "/").toLowerCase();
  return path === "/api" || path.startsWith("/api/") || path.startsWith("/metrics");
}

function bearer(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === "string" ? /^Bearer ([^\s]+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

/** A key that could reach an object's prototype if a body were ever merged into another object. */
function prototypeKey(value: unknown, path: string[] = []): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key === "__proto__" || key === "prototype" || (key === "constructor" && typeof child === "object")) return [...path, key].join(".");
    const found = prototypeKey(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/** JSON bodies: malformed JSON and prototype keys are refused naming the body and the key. */
function parseJsonBody(req: FastifyRequest, text: string): unknown {
  const where = { kind: "Request", name: `${req.method} ${req.url.split("?")[0]}`.slice(0, 200) };
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PolyvisorError("InvalidSpec", { ...where, field: "body" }, `malformed JSON (${bounded((e as Error).message, 200)})`);
  }
  const key = prototypeKey(value);
  if (key) throw new PolyvisorError("InvalidSpec", { ...where, field: `body.${bounded(key, 200)}` }, "prototype keys are not allowed");
  return value;
}

function parsePart(
  part: string,
  schema: z.ZodObject | undefined,
  value: unknown,
  where: { kind: string; name: string },
): Record<string, unknown> {
  if (!schema) {
    const empty = value === undefined || value === null || (typeof value === "object" && Object.keys(value).length === 0);
    if (!empty)
      throw new PolyvisorError("InvalidSpec", { kind: where.kind, name: where.name, field: part }, `this request takes no ${part}`);
    return {};
  }
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw invalidRequest(part, where, parsed.error);
  return parsed.data as Record<string, unknown>;
}

export interface PolyvisorServer {
  app: FastifyInstance;
  /** Starts the wall clock and the event hub; call before listen. */
  start(): Promise<void>;
  /** Drains requests in flight, ends event streams, stops the clock. The runtime is the caller's to close. */
  close(): Promise<void>;
}

export async function buildServer(options: ServerOptions): Promise<PolyvisorServer> {
  const { runtime, tokens } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_CHARS },
    return503OnClosing: true,
    // A path the router cannot take apart (bad escapes, an overlong segment) is a bad request like any other.
    frameworkErrors: (error, req, reply: FastifyReply) => {
      const reason = error.code === "FST_ERR_MAX_PARAM_LENGTH" ? `a path segment is over ${MAX_PARAM_CHARS} characters` : "malformed path";
      reply.code(400).send(errorBody(new PolyvisorError("InvalidSpec", { kind: "Request", name: req.method, field: "path" }, reason)));
    },
  });
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, async (req: FastifyRequest, body: string) =>
    parseJsonBody(req, body),
  );
  const writes = new WriteQueue();
  const hub = new EventHub(runtime);
  const metrics = new ServerMetrics(runtime);
  hub.onEvents((events) => metrics.countEvents(events));
  const { controller } = options;
  if (controller) metrics.watchLeadership(() => controller.leadership.status());
  const clock = new WallClock({
    speed: options.speed,
    active: !controller,
    advance: (seconds) => writes.run(() => (controller?.runtime ?? runtime).advance(seconds)).then(() => hub.publish()),
    onError: (e) => {
      if (controller && isLeaseLost(e)) controller.leadership.refused(e);
      else options.log(`clock: ${e instanceof Error ? e.message : String(e)}`);
    },
  });
  const streams = new Set<ServerResponse>();
  let poll: NodeJS.Timeout | undefined;

  app.addHook("onRequest", async (req) => {
    if (!isProtected(req.url)) return;
    const stored = await tokens.list();
    if (stored.length === 0) {
      req.principal = { role: "admin" };
      return;
    }
    const token = bearer(req);
    const principal = token === undefined ? undefined : await tokens.authenticate(token, stored);
    if (!principal) throw unauthorized();
    req.principal = principal;
  });
  app.addHook("onResponse", async (req, reply) => {
    metrics.observeRequest(req.method, req.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
  });

  const requireRole = (req: FastifyRequest, role: Role, what: string) => {
    const held = req.principal?.role;
    if (held !== undefined && roleAllows(held, role)) return;
    throw new PolyvisorError(
      "Forbidden",
      { kind: "Token", name: req.principal?.name ?? "request" },
      `role ${held ?? "none"} may not ${what}; it needs ${role}`,
    );
  };

  app.setErrorHandler((error: unknown, req, reply) => {
    if (isPolyvisorError(error)) {
      metrics.countRefusal(error.code);
      return reply.code(STATUS_OF[error.code] ?? 400).send(errorBody(error));
    }
    if (isStateUnusableError(error)) return reply.code(503).send({ code: "StateUnusable", message: bounded(error.message) });
    const fastifyError = error as { code?: string; statusCode?: number; message?: string };
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return reply
        .code(413)
        .send(
          errorBody(
            new PolyvisorError(
              "PayloadTooLarge",
              { kind: "Request", name: `${req.method} ${req.url}`.slice(0, 200), field: "body" },
              `the body is over the limit of ${BODY_LIMIT_BYTES} bytes`,
            ),
          ),
        );
    }
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      const reason =
        fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
          ? "must be application/json"
          : bounded(fastifyError.message ?? "malformed", 300);
      return reply
        .code(400)
        .send(
          errorBody(
            new PolyvisorError("InvalidSpec", { kind: "Request", name: `${req.method} ${req.url}`.slice(0, 200), field: "body" }, reason),
          ),
        );
    }
    options.log(
      `internal error on ${req.method} ${req.url.slice(0, 200)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return reply.code(500).send({ code: "Internal", message: "internal server error; see the server's log" });
  });
  app.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .send(
        errorBody(
          new PolyvisorError(
            "NotFound",
            { kind: "Route", name: `${req.method} ${req.url.split("?")[0]}`.slice(0, 200) },
            "no such route; see /openapi.json",
          ),
        ),
      );
  });

  const ctx = { runtime, clock: () => ({ speed: clock.speed, paused: clock.paused }) };
  for (const route of ROUTES) registerRoute(route);

  function registerRoute(route: AnyRoute): void {
    app.route({
      method: route.http,
      url: route.path,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        requireRole(req, route.role, `call ${route.method}`);
        const params = req.params as Record<string, unknown>;
        const where = {
          kind: typeof params.kind === "string" ? params.kind.slice(0, 100) : (route.subject ?? "Request"),
          name: typeof params.name === "string" ? params.name.slice(0, 200) : route.subject === "Clock" ? "simulation" : route.method,
        };
        // An unknown kind is refused exactly as the runtime refuses it in-process.
        if (params.kind !== undefined && !isManagedKind(String(params.kind))) managedKind(String(params.kind).slice(0, 100), where.name);
        const request: RouteRequest = {
          params: parsePart("params", route.params, req.params, where),
          query: parsePart("query", route.query, req.query, where),
          body: parsePart("body", route.body, req.body, where),
        };
        const result = route.write ? await writes.run(() => route.serve(ctx, request)) : await route.serve(ctx, request);
        if (route.write) await hub.publish();
        if (route.status === 204) return reply.code(204).send();
        return reply.code(route.status).send(result);
      },
    });
  }

  app.get("/api/v1/whoami", async (req) => req.principal ?? { role: null });
  // The wall clock is the server's, not the runtime's: pause, resume or change its speed (operator).
  app.post("/api/v1/clock/speed", async (req) => {
    requireRole(req, "operator", "change the clock's speed");
    const { speed } = parsePart("body", ClockSpeedBody, req.body, { kind: "Clock", name: "simulation" }) as { speed: number };
    await clock.setSpeed(speed);
    return { nowSeconds: await runtime.now(), speed: clock.speed, paused: clock.paused };
  });
  app.get("/healthz", async () => ({ status: "ok", ...controller?.leadership.status() }));
  const document = openApiDocument(options.version);
  app.get("/openapi.json", async () => document);
  app.get("/metrics", async (req, reply) => {
    requireRole(req, "viewer", "read metrics");
    return reply.type(metrics.contentType).send(await metrics.render());
  });

  app.get("/api/v1/events/stream", async (req, reply) => {
    requireRole(req, "viewer", "read events");
    const query = parsePart("query", ROUTES.find((r) => r.method === "events")!.query, req.query, { kind: "Request", name: "eventStream" });
    const lastEventId = req.headers["last-event-id"];
    const fromHeader = typeof lastEventId === "string" && /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : undefined;
    const cursor = fromHeader ?? (query.sinceSeq as number | undefined) ?? 0;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    streams.add(res);
    const send = (e: RuntimeEvent) => res.write(`id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`);
    const unsubscribe = await hub.subscribe({ cursor, send });
    // After the backlog: from here on every new event is sent as it is published.
    res.write(": live\n\n");
    const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
    res.on("close", () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    });
  });

  if (options.consoleDir && existsSync(options.consoleDir)) {
    await app.register(fastifyStatic, { root: options.consoleDir, prefix: "/" });
  }

  app.addHook("preClose", async () => {
    for (const res of streams) res.end();
  });

  return {
    app,
    async start() {
      await hub.start();
      clock.start();
      controller?.leadership.start((leading) => clock.setActive(leading));
      // Writers in other processes sharing the state (the CLI on the same file) publish nothing here.
      poll = setInterval(
        () => void hub.publish().catch((e: unknown) => options.log(`events: ${e instanceof Error ? e.message : String(e)}`)),
        POLL_MS,
      );
    },
    async close() {
      clearInterval(poll);
      await controller?.leadership.stop();
      await clock.stop();
      await app.close();
    },
  };
}
