/**
 * Two clients writing to one server at once lose no update: the server runs writes one at a time,
 * so every change of each client is in the final state, and a shared object's generation counts
 * every change both made.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import { cluster, esxHost, pool, vm } from "../support/fixtures";
import { type ServerProcess, startServer } from "../support/server-process";
import { tempDir } from "../support/state-file";

const tmp = tempDir();
let server: ServerProcess;
let writers: Runtime[];

beforeAll(async () => {
  server = await startServer(join(tmp.dir, "state.db"));
  writers = [await openRuntime({ url: server.url }), await openRuntime({ url: server.url })];
  for (const obj of [cluster("prod"), esxHost("esx1"), esxHost("esx2"), pool("shared")]) await writers[0].apply(obj);
});

afterAll(async () => {
  await server.stop();
  tmp.cleanup();
});

it("two writers at once: every VM of each is there, and the shared pool counts both writers' changes", async () => {
  const CHANGES = 15;
  await Promise.all(
    writers.map(async (rt, w) => {
      for (let i = 1; i <= CHANGES; i++) {
        await Promise.all([
          rt.apply(vm(`w${w}-vm${i}`, { vcpus: 1, memoryMb: 512 })),
          rt.apply(pool("shared", { cpu: { shares: w * 1000 + i } })),
        ]);
      }
    }),
  );
  const names = (await writers[0].list("VirtualMachine")).map((v) => v.name);
  expect(names).toHaveLength(2 * CHANGES);
  for (let w = 0; w < 2; w++) for (let i = 1; i <= CHANGES; i++) expect(names).toContain(`w${w}-vm${i}`);
  // Created at generation 1, then 2 x CHANGES distinct share values.
  expect((await writers[1].get("ResourcePool", "shared"))!.generation).toBe(1 + 2 * CHANGES);
});
