/**
 * The Runtime of a `polyvisor serve` over HTTP, derived from the server's route table: each method
 * sends its row's request and returns its row's result; a refusal comes back as a PolyvisorError with
 * the server's code, subject, field and message, as the embedded runtime would have thrown it.
 */
import { type ErrorCode, PolyvisorError, type Runtime, StateUnusableError } from "../api";
import { type AnyRoute, type ErrorBody, ROUTES, type RouteRequest, fillPath } from "../server/routes";

const REMEDY = "check the URL, or start a server with `polyvisor serve`";

/** The refusal a server sent, rebuilt: same code, subject, field and message. */
function refusalFrom(status: number, body: Partial<ErrorBody> | undefined, url: string): Error {
  if (status === 503 && body?.code === "StateUnusable")
    return new StateUnusableError(url, body.message ?? "the server's state cannot be used");
  if (!body || typeof body.code !== "string" || typeof body.message !== "string") {
    return new StateUnusableError(url, `the server answered ${status} without a Polyvisor error`, REMEDY);
  }
  const subject = { kind: body.kind ?? "Request", name: body.name ?? "", field: body.field };
  const where = subject.field ? ` field ${subject.field}:` : "";
  const prefix = `${body.code}: ${subject.kind} ${subject.name}:${where} `;
  const reason = body.message.startsWith(prefix) ? body.message.slice(prefix.length).split("\n  - ")[0] : body.message;
  const error = new PolyvisorError(body.code as ErrorCode, subject, reason);
  error.message = body.message;
  return error;
}

export class RemoteRuntime {
  private readonly base: string;

  constructor(
    url: string,
    private readonly token: string | undefined,
  ) {
    this.base = url.replace(/\/+$/, "");
  }

  /** Checks the server answers at all, so an unreachable one fails at open as an unusable state does. */
  async check(): Promise<void> {
    const res = await this.fetch("/healthz", { method: "GET" });
    if (!res.ok) throw new StateUnusableError(this.base, `/healthz answered ${res.status}; not a Polyvisor server?`, REMEDY);
    await res.arrayBuffer();
  }

  async call(route: AnyRoute, request: Partial<RouteRequest>): Promise<unknown> {
    const query = new URLSearchParams(Object.entries(request.query ?? {}).map(([k, v]) => [k, String(v)] as [string, string])).toString();
    const path = fillPath(route.path, request.params) + (query ? `?${query}` : "");
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (route.body) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(request.body ?? {});
    }
    const res = await this.fetch(path, { method: route.http, headers, body });
    const text = await res.text();
    const json = text ? safeJson(text) : undefined;
    if (res.ok) return route.result(json);
    if (res.status === 404 && route.notFoundIsUndefined && (json as ErrorBody | undefined)?.code === "NotFound") return undefined;
    throw refusalFrom(res.status, json as Partial<ErrorBody> | undefined, this.base);
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(this.base + path, init);
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new StateUnusableError(this.base, `unreachable (${cause?.code ?? cause?.message ?? (e as Error).message})`, REMEDY);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A Runtime whose every method is its route-table row sent to the server at `url`. */
export async function openRemoteRuntime(url: string, token: string | undefined): Promise<Runtime> {
  if (!/^https?:\/\/[^\s/]+/i.test(url)) {
    throw new PolyvisorError(
      "InvalidSpec",
      { kind: "RuntimeOptions", name: "openRuntime", field: "url" },
      `must be an http:// or https:// URL, got ${JSON.stringify(url.slice(0, 100))}`,
    );
  }
  const remote = new RemoteRuntime(url, token);
  await remote.check();
  const methods: Record<string, unknown> = { close: async () => undefined };
  for (const route of ROUTES) {
    methods[route.method] = (...args: unknown[]) =>
      remote.call(route, (route.request as (...a: unknown[]) => Partial<RouteRequest>)(...args));
  }
  return methods as unknown as Runtime;
}
