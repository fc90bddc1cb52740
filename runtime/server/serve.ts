/**
 * Starts a server over a state file or a PostgreSQL datacenter: the runtime, its tokens, the HTTP
 * server, and a clean shutdown. On PostgreSQL several servers may share the datacenter; the one
 * holding the controller lease drives the clock.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Runtime } from "../api";
import { LocalRuntime } from "../local-runtime";
import { PostgresStore } from "../store/postgres";
import { IDLE_IN_TRANSACTION_MS, PostgresLease } from "../store/postgres-lease";
import { SqliteStore } from "../store/sqlite";
import type { Store } from "../store/store";
import { buildServer } from "./app";
import { Leadership } from "./leadership";
import { TokenRegistry } from "./tokens";

export interface ServeOptions {
  /** A SQLite state file; ignored when `postgres` is given. */
  statePath: string;
  /** A PostgreSQL connection string: the datacenter is its schema, shared with other servers. */
  postgres?: string;
  host: string;
  port: number;
  /** Simulated seconds per wall second; 0: paused. */
  speed: number;
  /** Seed of a new state's random source. */
  seed?: number;
  log(line: string): void;
}

export interface RunningServer {
  url: string;
  /** Drains requests in flight, ends event streams, stops the clock and closes the state. */
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1" || host === "[::1]";
}

/** The folder of the package (holding package.json), from this module in the sources or in dist/. */
function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Thrown when the server must not start as asked (bad usage: exit 2). */
export class ServeRefusal extends Error {}

interface OpenedState {
  store: Store;
  /** Leadership among the servers sharing a PostgreSQL datacenter. */
  controller?: { leadership: Leadership; runtime: Runtime };
  close(): Promise<void>;
}

async function openState(options: ServeOptions): Promise<OpenedState> {
  const seed = options.seed ?? 1;
  if (options.postgres === undefined) {
    const store = new SqliteStore(resolve(options.statePath), { seed });
    return { store, close: () => store.close() };
  }
  // A stopped server's transaction must not hold the datacenter's locks for longer than a takeover takes.
  const store = new PostgresStore(options.postgres, { seed, idleInTransactionTimeoutMs: IDLE_IN_TRANSACTION_MS });
  await store.opened();
  const lease = new PostgresLease(options.postgres);
  const leadership = new Leadership({
    lease,
    holder: `${hostname()} pid ${process.pid} ${randomBytes(3).toString("hex")}`,
    log: options.log,
  });
  return {
    store,
    controller: { leadership, runtime: new LocalRuntime(store.fencedBy(() => leadership.current())) },
    async close() {
      await lease.close();
      await store.close();
    },
  };
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const state = await openState(options);
  const { store } = state;
  const tokens = new TokenRegistry(store);
  try {
    if (!isLoopback(options.host) && (await tokens.list()).length === 0) {
      const where =
        options.postgres === undefined ? `polyvisor --state ${options.statePath}` : "POLYVISOR_POSTGRES=<the same URL> polyvisor";
      throw new ServeRefusal(
        `refusing to listen on ${options.host} without tokens: anyone who can reach it could change the datacenter. Create one first: ${where} token create --role admin`,
      );
    }
    const root = packageRoot();
    const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
    const server = await buildServer({
      runtime: new LocalRuntime(store),
      tokens,
      speed: options.speed,
      consoleDir: join(root, "dist", "console"),
      version,
      log: options.log,
      controller: state.controller,
    });
    try {
      await server.start();
      await server.app.listen({ host: options.host, port: options.port });
    } catch (e) {
      await server.close();
      throw e;
    }
    const address = server.app.server.address();
    const port = typeof address === "object" && address ? address.port : options.port;
    const host = isIP(options.host) === 6 ? `[${options.host}]` : options.host;
    return {
      url: `http://${host}:${port}`,
      async close() {
        await server.close();
        await state.close();
      },
    };
  } catch (e) {
    await state.close();
    throw e;
  }
}
