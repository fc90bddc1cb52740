/**
 * Resources per second through `pulumi up` as the tests drive it (the program under Pulumi's mocks,
 * every resource through the real dynamic provider host over gRPC): Polyvisor's VMs against a no-op
 * dynamic provider in the same run, so the ratio isolates what the provider and runtime add.
 */
import { join } from "node:path";
import { afterAll, it } from "vitest";
import { PulumiEngine, type Program } from "../test/harness/engine";
import { timeUp } from "./harness-timing";
import { makeProjectDir, removeProjectDir } from "../test/harness/project";
import { programFolder } from "../test/provider/program-loader";

const COUNT = 300;
const ROUNDS = 3;
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

it(`measures ${COUNT} resources per up`, async () => {
  const noopDir = makeProjectDir({ "noop-provider": join(__dirname, "..", "test", "harness", "fixtures", "noop-provider") });
  cleanups.push(() => removeProjectDir(noopDir));
  const { NoopResource } = require("../test/harness/fixtures/noop-resource.js") as typeof import("../test/harness/fixtures/noop-resource");
  const noop = await PulumiEngine.start({ projectDir: noopDir });
  cleanups.push(() => noop.close());
  // The same graph as the Polyvisor program: a root, four resources that use its name, the rest depending on those.
  const noopProgram: Program = () => {
    const root = new NoopResource("root", { name: "root", size: 0 });
    const mid = [1, 2, 3, 4].map((i) => new NoopResource(`mid${i}`, { name: root.id.apply((r) => `${r}-mid${i}`), size: i }));
    for (let i = 0; i < COUNT - 5; i++) new NoopResource(`r${i}`, { name: `r${i}`, size: i, root: root.id }, { dependsOn: mid });
  };

  const folder = programFolder();
  cleanups.push(() => folder.remove());
  const engine = await PulumiEngine.start({ projectDir: folder.dir, config: { "polyvisor:statePath": folder.statePath } });
  cleanups.push(() => engine.close());
  const pvProgram = folder.load(`
    import * as pv from "polyvisor";
    export = async () => {
      const c = new pv.Cluster("bench", {});
      const hosts = [1, 2, 3, 4].map((i) => new pv.Host("esx" + i, { cluster: c.name, hypervisor: "esx", memoryMb: 1048576,
        cpu: { sockets: 2, coresPerSocket: 16, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] } }));
      for (let i = 0; i < ${COUNT - 5}; i++) {
        new pv.VirtualMachine("vm" + i, { cluster: c.name, vcpus: 1 + (i % 4), memoryMb: 2048, guestOs: "linux" }, { dependsOn: hosts });
      }
    };`);

  const noopTimes: number[] = [];
  const pvTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    noopTimes.push(await timeUp(noop, noopProgram));
    pvTimes.push(await timeUp(engine, pvProgram));
  }
  const best = (xs: number[]) => Math.min(...xs);
  const noopRate = COUNT / best(noopTimes);
  const pvRate = COUNT / best(pvTimes);
  console.log(`\n## Resources per second through the engine harness (${COUNT} resources per up, best of ${ROUNDS})`);
  console.log(`polyvisor (cluster, 4 hosts, ${COUNT - 5} VMs): ${pvRate.toFixed(0)} resources/s`);
  console.log(`no-op dynamic provider:               ${noopRate.toFixed(0)} resources/s`);
  console.log(`ratio (no-op / polyvisor): ${(noopRate / pvRate).toFixed(2)}x  (goal <= 1.2x)`);
}, 300_000);
