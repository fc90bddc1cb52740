/**
 * Calls to the server's API, same origin only. The token comes from `#token=...` (then removed from
 * the address bar) or the token field, and is kept in sessionStorage for this tab.
 */
import type { Clock, ClusterHistory, Obj, Role, RuntimeEvent } from "./types";

const TOKEN_KEY = "polyvisor.token";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function takeTokenFromLocation(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
  history.replaceState(null, "", location.pathname + location.search);
}

export function setToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function authHeaders(): Record<string, string> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { ...authHeaders(), ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, parsed?.code ?? "Error", parsed?.message ?? `${method} ${path}: HTTP ${res.status}`);
  return parsed as T;
}

const seg = encodeURIComponent;

export const api = {
  whoami: () => call<{ role: Role | null; name?: string }>("GET", "/api/v1/whoami"),
  list: (kind: string) => call<Obj[]>("GET", `/api/v1/objects/${seg(kind)}`),
  get: (kind: string, name: string) => call<Obj>("GET", `/api/v1/objects/${seg(kind)}/${seg(name)}`),
  apply: (kind: string, name: string, spec: object, generation?: number) =>
    call<Obj>("PUT", `/api/v1/objects/${seg(kind)}/${seg(name)}`, generation === undefined ? { spec } : { spec, generation }),
  failHost: (name: string) => call<void>("POST", `/api/v1/hosts/${seg(name)}/fail`, {}),
  recoverHost: (name: string) => call<void>("POST", `/api/v1/hosts/${seg(name)}/recover`, {}),
  clock: () => call<Clock>("GET", "/api/v1/clock"),
  advance: (seconds: number) => call<void>("POST", "/api/v1/clock/advance", { seconds }),
  setSpeed: (speed: number) => call<Clock>("POST", "/api/v1/clock/speed", { speed }),
  runDrs: (cluster: string, apply: boolean) => call<Obj>("POST", `/api/v1/clusters/${seg(cluster)}/drs`, { apply }),
  events: (sinceSeq: number) => call<RuntimeEvent[]>("GET", `/api/v1/events?sinceSeq=${sinceSeq}`),
  history: () => call<ClusterHistory[]>("GET", "/api/v1/history"),
};
