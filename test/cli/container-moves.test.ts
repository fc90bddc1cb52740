/** `polyvisor status` shows a container move in flight: from and to which host, how, and when it lands. */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import { type ContainerObject, openRuntime } from "../../runtime";
import { tempDir } from "../support/state-file";

const CLI = resolve(__dirname, "..", "..", "dist", "cli", "main.js");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

it("status shows a container DRS is moving as source -> target with the move's kind and landing time", async () => {
  const state = join(tmp.dir, "moves.db");
  const rt = await openRuntime({ path: state });
  await rt.apply({ kind: "Cluster", name: "c", spec: {} });
  for (const name of ["vz1", "vz2"])
    await rt.apply({
      kind: "Host",
      name,
      spec: {
        cluster: "c",
        hypervisor: "openvz",
        cpu: { coresPerSocket: 4, mhz: 2000, vendor: "intel", features: ["lm"] },
        memoryMb: 16384,
      },
    });
  const spec = { cluster: "c", template: "centos-5-x86_64", memoryMb: 2048, diskGb: 2, workload: { cpuDemandMhz: 1500, threads: 2 } };
  for (const name of ["web1", "web2"]) {
    await rt.apply({ kind: "Container", name, spec: { ...spec, host: "vz1" } });
    await rt.apply({ kind: "Container", name, spec });
  }
  await rt.runDrs("c");
  const moving = (await rt.get("Container", "web1")) as ContainerObject;
  await rt.close();
  const landsAt = moving.status.migration!.completesAtSeconds;
  expect(landsAt).toBeGreaterThan(0);
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "--state", state, ...args], { encoding: "utf8" });
  const text = run("status");
  expect(text.status).toBe(0);
  expect(text.stdout).toMatch(/^web1\s+c\s+centos-5-x86_64\s+running\s+vz1 -> vz2 \(checkpointRestore, lands 00:00:\d\d(\.\d+)?\)\s/m);
  expect(text.stdout).toMatch(/^web2\s+c\s+centos-5-x86_64\s+running\s+vz1\s/m);
  const json = JSON.parse(run("--json", "status").stdout);
  expect(json.containers.find((c: ContainerObject) => c.name === "web1").status.migration).toMatchObject({
    fromHost: "vz1",
    toHost: "vz2",
  });
});
