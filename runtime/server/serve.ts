/** Starts a server over a state file: the runtime, its tokens, the HTTP server, and a clean shutdown. */
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, join, resolve } from "node:path";
import { LocalRuntime } from "../local-runtime";
import { SqliteStore } from "../store/sqlite";
import { buildServer } from "./app";
import { TokenRegistry } from "./tokens";

export interface ServeOptions {
  statePath: string;
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

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const store = new SqliteStore(resolve(options.statePath), { seed: options.seed ?? 1 });
  const tokens = new TokenRegistry(store);
  try {
    if (!isLoopback(options.host) && (await tokens.list()).length === 0) {
      throw new ServeRefusal(
        `refusing to listen on ${options.host} without tokens: anyone who can reach it could change the datacenter. Create one first: polyvisor --state ${options.statePath} token create --role admin`,
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
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
