import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Runtime, type VirtualMachineObject, openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";
import { dumpStateFile, tempDir } from "../support/state-file";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Three ESX hosts with HA, eight VMs with reservations; the state file closed. */
async function build(path: string, hosts = 3, vms = 8, memoryMb = 4096, policy = "resourcePercentage"): Promise<void> {
  const rt = await openRuntime({ path });
  await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl: { policy, hostFailuresToTolerate: 1 } } }));
  for (let h = 1; h <= hosts; h++) await rt.apply(esxHost(`esx${h}`, "prod", { hypervisorVersion: "8.0" }));
  for (let i = 1; i <= vms; i++)
    await rt.apply(
      vm(`vm${i}`, { memoryMb, cpu: { reservationMhz: 2000 }, memory: { reservationMb: memoryMb }, workload: { cpuDemandMhz: 1500 } }),
    );
  await rt.close();
}

const bytes = (path: string) => [
  readFileSync(path),
  ...["-wal"].map((s) => {
    try {
      return readFileSync(path + s);
    } catch {
      return Buffer.alloc(0);
    }
  }),
];

async function withRuntime<T>(path: string, work: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await openRuntime({ path });
  try {
    return await work(rt);
  } finally {
    await rt.close();
  }
}

describe("runtime.whatIf", () => {
  it("reports restarts and where, and the failover capacity before and after; the state file stays byte-identical", async () => {
    const path = join(tmp.dir, "fail.db");
    await build(path);
    const dump = dumpStateFile(path);
    const before = bytes(path);
    const { report, onEsx1, events } = await withRuntime(path, async (rt) => {
      const vms = (await rt.list("VirtualMachine")) as VirtualMachineObject[];
      const onEsx1 = vms.filter((v) => v.status.currentHost === "esx1").map((v) => v.name);
      const events = (await rt.events()).length;
      return {
        report: await rt.whatIf([
          { type: "failHost", host: "esx1" },
          { type: "advance", seconds: 900 },
        ]),
        onEsx1,
        events,
      };
    });
    expect(onEsx1.length).toBeGreaterThan(0);
    expect(report.steps.map((s) => s.ok)).toEqual([true, true]);
    expect(report.restarts.map((r) => r.vm)).toEqual(onEsx1);
    for (const r of report.restarts) {
      expect(r.fromHost).toBe("esx1");
      expect(["esx2", "esx3"]).toContain(r.toHost);
    }
    expect(report.pendingRestarts).toEqual([]);
    const prod = report.clusters.find((c) => c.cluster === "prod")!;
    expect(prod.before.usableHosts).toBe(3);
    expect(prod.after.usableHosts).toBe(2);
    expect(prod.after.cpuFailoverPercent).toBeLessThan(prod.before.cpuFailoverPercent);
    expect(report.events.some((e) => e.reason === "HaRestarted")).toBe(true);
    expect(report.timeSecondsAfter - report.timeSecondsBefore).toBe(900);
    // Nothing persisted: the same rows, the same events, the same bytes.
    expect(dumpStateFile(path)).toBe(dump);
    expect(bytes(path)).toEqual(before);
    await withRuntime(path, async (rt) => {
      expect((await rt.events()).length).toBe(events);
      expect(await rt.now()).toBe(0);
    });
  });

  it("reports pending restarts and admission refusals when the survivors are too small, and goes on after a refused step", async () => {
    const path = join(tmp.dir, "small.db");
    // Five VMs of 20 GB on two 64 GB hosts, admission control off: the survivor has room for one more.
    await build(path, 2, 5, 20480, "disabled");
    const report = await withRuntime(path, (rt) =>
      rt.whatIf([
        { type: "failHost", host: "nope" },
        { type: "failHost", host: "esx1" },
        // Refused after the failure: the fork replays the failure and goes on.
        {
          type: "apply",
          kind: "VirtualMachine",
          name: "big",
          spec: { cluster: "prod", vcpus: 2, memoryMb: 40000, guestOs: "linux", memory: { reservationMb: 40000 } },
        },
        { type: "advance", seconds: 900 },
      ]),
    );
    expect(report.steps.map((s) => [s.type, s.ok, s.error?.code])).toEqual([
      ["failHost", false, "NotFound"],
      ["failHost", true, undefined],
      ["apply", false, "InsufficientCapacity"],
      ["advance", true, undefined],
    ]);
    expect(report.steps[2].error?.message).toContain("VirtualMachine big");
    expect(report.events.filter((e) => e.reason === "HostFailed").map((e) => e.name)).toEqual(["esx1"]);
    const down = report.events.filter((e) => e.reason === "Crashed").map((e) => e.name);
    expect(down.length).toBeGreaterThanOrEqual(2);
    expect(report.restarts.length + report.pendingRestarts.length).toBe(down.length);
    expect(report.pendingRestarts.length).toBeGreaterThan(0);
    for (const p of report.pendingRestarts) {
      expect(p.fromHost).toBe("esx1");
      expect(p.reason).toMatch(/Capacity: esx2/);
    }
    expect(report.clusters[0].after.pendingRestarts).toBe(report.pendingRestarts.length);
  });

  it("a host added on the fork takes load, and DRS moves are reported", async () => {
    const path = join(tmp.dir, "add.db");
    await build(path);
    const report = await withRuntime(path, (rt) =>
      rt.whatIf([
        { type: "addHost", name: "esx4", spec: esxHost("esx4").spec },
        { type: "advance", seconds: 3600 },
      ]),
    );
    expect(report.steps.every((s) => s.ok)).toBe(true);
    expect(report.clusters[0].after.usableHosts).toBe(4);
    for (const m of report.drsMoves) expect(m.fromHost).not.toBe(m.toHost);
    await withRuntime(path, async (rt) => expect(await rt.get("Host", "esx4")).toBeUndefined());
  });

  it("is deterministic and refuses bad steps naming the step and field, running nothing", async () => {
    const path = join(tmp.dir, "det.db");
    await build(path);
    await withRuntime(path, async (rt) => {
      const steps = [
        { type: "failHost" as const, host: "esx2" },
        { type: "advance" as const, seconds: 1200 },
      ];
      expect(await rt.whatIf(steps)).toEqual(await rt.whatIf(steps));
      await expect(rt.whatIf([{ type: "advance", seconds: -1 }])).rejects.toThrow(/InvalidSpec: WhatIf step 0: field seconds/);
      await expect(rt.whatIf([{ type: "explode" } as never])).rejects.toThrow(/InvalidSpec: WhatIf step 0: field type/);
    });
  });
});
