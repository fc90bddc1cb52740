/**
 * The process under load in `bench/server.ts`: a paused Polyvisor server on a state file in DIR, and
 * a bare Fastify "hello" route on another port of the same process, the framework's own ceiling.
 * Prints one JSON line with both URLs once listening; SIGTERM closes both.
 */
import Fastify from "fastify";
import { join } from "node:path";
import { serve } from "../runtime/server/serve";

async function main(): Promise<void> {
  const server = await serve({
    statePath: join(process.argv[2], "server.db"),
    host: "127.0.0.1",
    port: 0,
    speed: 0,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const hello = Fastify({ logger: false });
  hello.get("/hello", async () => ({ hello: "world" }));
  await hello.listen({ host: "127.0.0.1", port: 0 });
  const address = hello.server.address();
  const helloUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/hello`;
  process.stdout.write(`${JSON.stringify({ api: server.url, hello: helloUrl })}\n`);
  process.once("SIGTERM", () => void Promise.all([server.close(), hello.close()]));
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
