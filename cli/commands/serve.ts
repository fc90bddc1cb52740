/** `polyvisor serve`: the runtime as a shared HTTP server until SIGTERM or SIGINT. */
import type { Cli } from "../context";
import { UsageError } from "../format";

interface ServeFlags {
  host: string;
  port: string;
  speed?: string;
  paused?: boolean;
  seed?: string;
  postgres?: string;
}

function integer(text: string, flag: string, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > max) throw new UsageError(`${flag} takes a whole number from 0 to ${max}, got "${text}"`);
  return value;
}

function speedOf(flags: ServeFlags): number {
  if (flags.paused && flags.speed !== undefined) throw new UsageError("--speed and --paused exclude each other");
  if (flags.paused) return 0;
  if (flags.speed === undefined) return 1;
  const speed = Number(flags.speed);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 1_000_000)
    throw new UsageError(`--speed takes simulated seconds per second, more than 0 and at most 1000000, got "${flags.speed}"`);
  return speed;
}

/** Resolves once the signal arrived and the server closed. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve(signal);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}

export function registerServe({ program }: Cli): void {
  program
    .command("serve")
    .description("serve the runtime over HTTP: the API, /openapi.json, /metrics and an event stream")
    .option("--host <host>", "address to listen on; anything but loopback needs a token first", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: a free one)", "7480")
    .option("--speed <n>", "simulated seconds per wall-clock second (default 1)")
    .option("--paused", "the clock moves only on advance (deterministic CI)")
    .option("--seed <n>", "seed of a new state's random source")
    .option(
      "--postgres <url>",
      "a PostgreSQL datacenter (default: POLYVISOR_POSTGRES when --state is not given), shared with other servers: the lease holder drives the clock",
    )
    .action(async (flags: ServeFlags) => {
      const globals = program.opts<{ state?: string }>();
      if (flags.postgres !== undefined && globals.state !== undefined) throw new UsageError("--state and --postgres exclude each other");
      const postgres = flags.postgres ?? (globals.state === undefined ? process.env.POLYVISOR_POSTGRES || undefined : undefined);
      const { defaultStatePath } = await import("../../runtime");
      const options = {
        statePath: globals.state ?? defaultStatePath(),
        postgres,
        host: flags.host,
        port: integer(flags.port, "--port", 65535),
        speed: speedOf(flags),
        seed: flags.seed === undefined ? undefined : integer(flags.seed, "--seed", 0xffffffff),
        log: (line: string) => process.stderr.write(`${line}\n`),
      };
      // Loaded here so that other commands do not pay for the HTTP server's modules.
      const { ServeRefusal, serve } = await import("../../runtime/server/serve");
      const signal = untilSignal();
      let server: Awaited<ReturnType<typeof serve>>;
      try {
        server = await serve(options);
      } catch (e) {
        if (e instanceof ServeRefusal) throw new UsageError(e.message);
        throw e;
      }
      process.stdout.write(`listening on ${server.url}\n`);
      await signal;
      await server.close();
    });
}
