/**
 * A long `sim advance` in a child process: progress lines on stderr when it is not a terminal, and
 * Ctrl-C stops it between two slices, saying how far it got, with the state's clock exactly there.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import { CLI } from "../support/cli-process";
import { cluster, esxHost, vm } from "../support/fixtures";
import { tempDir } from "../support/state-file";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const state = join(tmp.dir, "long.db");

beforeAll(async () => {
  expect(existsSync(CLI), "run `npm run build` first").toBe(true);
  const rt = await openRuntime({ path: state });
  // DRS passes every 5 simulated minutes over bursty workloads: a year of them takes a while.
  await rt.apply(cluster("prod", { drs: { enabled: true, automationLevel: "fullyAutomated" } }));
  for (const h of ["esx1", "esx2"]) await rt.apply(esxHost(h));
  for (let i = 0; i < 20; i++)
    await rt.apply(vm(`vm${i}`, { vcpus: 1, memoryMb: 512, workload: { cpuDemandMhz: 800, profile: "bursty" } }));
  await rt.close();
});

describe("sim advance on a long run", () => {
  it("prints progress lines, and Ctrl-C stops at a consistent point, saying how far it got", async () => {
    const child = spawn(process.execPath, [CLI, "--state", state, "--json", "sim", "advance", "366d"], {
      cwd: tmp.dir,
      env: { ...process.env, POLYVISOR_STATE: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    while (!/^advanced .* of 366d 00:00:00 \(\d+%\)$/m.test(stderr)) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.interrupted).toBe(true);
    expect(result.requestedSeconds).toBe(366 * 86_400);
    expect(result.advancedSeconds).toBeGreaterThan(0);
    expect(result.advancedSeconds).toBeLessThan(366 * 86_400);
    expect(result.timeSeconds).toBe(result.advancedSeconds);
    const rt = await openRuntime({ path: state, create: false });
    expect(await rt.now()).toBe(result.advancedSeconds);
    await rt.close();
  });
});
