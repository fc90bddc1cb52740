/** `polyvisor host fail|recover` print what happened; `status` shows the cluster's failover capacity. */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openRuntime } from "../../runtime";
import { runCli } from "../support/cli-run";
import { cluster, esxHost, vm } from "../support/fixtures";
import { tempDir } from "../support/state-file";

const tmp = tempDir();
let state: string;
const cli = (...args: string[]) => runCli(state, ...args);

beforeEach(async () => {
  state = join(tmp.dir, `state-${Math.random().toString(36).slice(2)}.db`);
  const rt = await openRuntime({ path: state });
  await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl: { policy: "slotPolicy" } } }));
  for (const h of ["esx1", "esx2", "esx3"]) await rt.apply(esxHost(h));
  await rt.apply(vm("db1", { host: "esx2", memory: { reservationMb: 4096 } }));
  await rt.apply(vm("db1", { memory: { reservationMb: 4096 } }));
  await rt.close();
});

afterEach(() => vi.restoreAllMocks());

describe("polyvisor host", () => {
  it("fail prints the failure's events and how to follow it; sim advance shows the restart", async () => {
    const failed = await cli("host", "fail", "esx2");
    expect(failed.code).toBe(0);
    expect(failed.stdout).toMatch(/00:00:00 {2}VirtualMachine db1 {2}Crashed: went down with host esx2 \(crash\)/);
    expect(failed.stdout).toMatch(/Host esx2 {2}HostFailed: crashed: 1 running VM\(s\) went down with it/);
    expect(failed.stdout).toContain("polyvisor sim advance");
    const advanced = await cli("sim", "advance", "1m");
    expect(advanced.stdout).toMatch(/00:00:15 {2}VirtualMachine db1 {2}HaRestarted: restarted on esx[13]/);
    const status = await cli("status");
    // Two usable hosts of 16 slots (65536 MB / 4096 MB): one host's 16 held for a failure, one used, 15 free.
    expect(status.stdout).toMatch(/prod +slotPolicy +tolerates 1 of 1 host failure\(s\) +32 MHz x 4096 MB +32 +1 +16 +15 +0 +0/);
    expect(status.stdout).toMatch(/esx2 +prod +esx 3\.0 +failed/);
  });

  it("fail --mode isolation and recover, as JSON too; bad usage and refusals have their exit codes", async () => {
    const isolated = await cli("--json", "host", "fail", "esx2", "--mode", "isolation");
    expect(JSON.parse(isolated.stdout).events.map((e: { reason: string }) => e.reason)).toEqual(["HostIsolated"]);
    const recovered = await cli("host", "recover", "esx2");
    expect(recovered.stdout).toMatch(/HostRecovered: network restored; 1 VM\(s\) still run on it/);
    expect((await cli("host", "fail", "esx2", "--mode", "flood")).code).toBe(2);
    const again = await cli("host", "recover", "esx2");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("Conflict: Host esx2: field state: the host is connected");
  });
});
