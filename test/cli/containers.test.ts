/** `polyvisor status` lists containers with their host, addresses and CPU entitlement. */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { tempDir } from "../support/state-file";

const CLI = resolve(__dirname, "..", "..", "dist", "cli", "main.js");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

it("status shows each container's host, addresses and entitlement; --json has them too", async () => {
  const state = join(tmp.dir, "ct.db");
  const rt = await openRuntime({ path: state });
  await rt.apply({ kind: "Cluster", name: "c", spec: {} });
  await rt.apply({
    kind: "Host",
    name: "sol1",
    spec: { cluster: "c", hypervisor: "zones", cpu: { coresPerSocket: 2, mhz: 2000, vendor: "intel", features: ["lm"] }, memoryMb: 8192 },
  });
  await rt.apply({
    kind: "Container",
    name: "old",
    spec: { cluster: "c", template: "centos-3-x86", memoryMb: 256, diskGb: 2, ipAddresses: ["10.0.0.9"], workload: { cpuDemandMhz: 300 } },
  });
  await rt.close();
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "--state", state, ...args], { encoding: "utf8" });
  const text = run("status");
  expect(text.status).toBe(0);
  expect(text.stdout).toMatch(/^CONTAINER\s+CLUSTER\s+TEMPLATE\s+STATE\s+HOST\s+ADDRESSES/m);
  expect(text.stdout).toMatch(/^old\s+c\s+centos-3-x86\s+running\s+sol1 \(lx\)\s+10\.0\.0\.9\s+256\s+300\s+300$/m);
  const json = JSON.parse(run("--json", "status").stdout);
  expect(json.containers.map((c: { name: string; status: { currentHost: string } }) => [c.name, c.status.currentHost])).toEqual([
    ["old", "sol1"],
  ]);
});
