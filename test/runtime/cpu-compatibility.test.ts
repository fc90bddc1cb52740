/**
 * CPU compatibility for live migration, and EVC. Sources: vCenter Server and Host Management 6.7,
 * "CPU Compatibility and EVC" (vendor must match, the target needs the instructions the guest uses);
 * VMware KB 1003212 (EVC baselines; never Intel <-> AMD; a host below the baseline cannot join);
 * Broadcom KB 316536 (a cold migration re-detects the CPU, so it may cross); an HA restart is a power-on.
 */
import { describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { ClusterObject, HostObject, VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";

const cpu = (vendor: "intel" | "amd", features: string[]) => ({ cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor, features } });
const MEROM = ["vmx", "lm", "nx", "sse3", "ssse3"];
const PENRYN = [...MEROM, "sse4.1"];
const AMD = ["svm", "npt", "lm", "nx", "sse3"];

const getVm = async (rt: Runtime, name: string) => (await rt.get("VirtualMachine", name)) as VirtualMachineObject;

async function runtimeWith(hosts: Record<string, ReturnType<typeof cpu>>, clusterSpec: object = {}): Promise<Runtime> {
  const rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", clusterSpec));
  for (const [name, c] of Object.entries(hosts)) await rt.apply(esxHost(name, "prod", c));
  return rt;
}

describe("live migration needs a compatible CPU", () => {
  it("refuses a running VM's move to a host of the other vendor, changing nothing; a powered-off VM may cross", async () => {
    const rt = await runtimeWith({ intel1: cpu("intel", MEROM), amd1: cpu("amd", AMD) });
    await rt.apply(vm("web", { host: "intel1" }));
    const before = await getVm(rt, "web");
    const refused = rt.apply(vm("web", { host: "amd1" }));
    await expect(refused).rejects.toMatchObject({ code: "Incompatible", field: "host" });
    await expect(refused).rejects.toThrow(/CPU vendor amd, the VM runs on intel \(intel1\): live migration never crosses CPU vendors/);
    expect(await getVm(rt, "web")).toEqual(before);

    await rt.apply(vm("web", { host: "intel1", powerState: "off" }));
    await rt.apply(vm("web", { host: "amd1", powerState: "off" }));
    await rt.apply(vm("web", { host: "amd1" }));
    expect((await getVm(rt, "web")).status.currentHost).toBe("amd1");
    await rt.close();
  });

  it("without EVC, refuses a target lacking a feature the guest sees on its source, naming it", async () => {
    const rt = await runtimeWith({ penryn: cpu("intel", PENRYN), merom: cpu("intel", MEROM) });
    await rt.apply(vm("db", { host: "penryn" }));
    await expect(rt.apply(vm("db", { host: "merom" }))).rejects.toThrow(/lacks CPU features sse4\.1 that the VM sees on penryn/);
    // The other way the target has every feature the guest sees.
    await rt.apply(vm("app", { host: "merom" }));
    await rt.apply(vm("app", { host: "penryn" }));
    expect((await getVm(rt, "app")).status.migration).toMatchObject({ fromHost: "merom", toHost: "penryn" });
    await rt.close();
  });

  it("with EVC the guest sees the baseline only, so it moves down a generation", async () => {
    const rt = await runtimeWith({ penryn: cpu("intel", PENRYN), merom: cpu("intel", MEROM) }, { evc: { mode: "intel-merom" } });
    await rt.apply(vm("db", { host: "penryn" }));
    await rt.apply(vm("db", { host: "merom" }));
    expect((await getVm(rt, "db")).status.migration).toMatchObject({ fromHost: "penryn", toHost: "merom" });
    await rt.close();
  });

  it("an HA restart is a boot: a failed Intel host's VM restarts on an AMD host", async () => {
    const rt = await runtimeWith(
      { intel1: cpu("intel", MEROM), amd1: cpu("amd", AMD) },
      { ha: { enabled: true, admissionControl: { policy: "disabled" } } },
    );
    await rt.apply(vm("web", { host: "intel1" }));
    await rt.apply(vm("web"));
    await rt.failHost("intel1", { mode: "crash" });
    await rt.advance(120);
    expect((await getVm(rt, "web")).status).toMatchObject({ powerState: "on", currentHost: "amd1" });
    await rt.close();
  });

  it("DRS and maintenance never plan across vendors, and say why", async () => {
    const rt = await runtimeWith({ intel1: cpu("intel", MEROM), amd1: cpu("amd", AMD) }, { drs: { migrationThreshold: 5 } });
    for (const name of ["a", "b", "c", "d"]) {
      await rt.apply(vm(name, { host: "intel1", memoryMb: 1024, workload: { cpuDemandMhz: 8000, activeMemoryMb: 256 } }));
      await rt.apply(vm(name, { memoryMb: 1024, workload: { cpuDemandMhz: 8000, activeMemoryMb: 256 } }));
    }
    const drs = ((await rt.runDrs("prod")) as ClusterObject).status.drs;
    expect(drs.imbalanceBefore).toBeGreaterThan(drs.targetImbalance);
    expect(drs.moves).toEqual([]);

    const before = (await rt.get("Host", "intel1")) as HostObject;
    const refused = rt.apply(esxHost("intel1", "prod", { ...cpu("intel", MEROM), maintenance: true }));
    await expect(refused).rejects.toMatchObject({ code: "Conflict" });
    await expect(refused).rejects.toThrow(/amd1: CPU vendor amd, the VM runs on intel/);
    expect(await rt.get("Host", "intel1")).toEqual(before);
    await rt.close();
  });

  it("DRS balances between hosts of one vendor and leaves the other out", async () => {
    const rt = await runtimeWith(
      { amd1: cpu("amd", AMD), intel1: cpu("intel", MEROM), intel2: cpu("intel", MEROM) },
      { drs: { migrationThreshold: 5 } },
    );
    for (const name of ["a", "b", "c", "d"]) {
      await rt.apply(vm(name, { host: "intel1", memoryMb: 1024, workload: { cpuDemandMhz: 8000, activeMemoryMb: 256 } }));
      await rt.apply(vm(name, { memoryMb: 1024, workload: { cpuDemandMhz: 8000, activeMemoryMb: 256 } }));
    }
    const drs = ((await rt.runDrs("prod", { apply: true })) as ClusterObject).status.drs;
    expect(drs.moves.length).toBeGreaterThan(0);
    expect(drs.moves.every((m) => m.toHost === "intel2")).toBe(true);
    await rt.close();
  });
});

describe("EVC baselines (VMware KB 1003212)", () => {
  it("refuses a host below the cluster's baseline, naming the missing features, and changes nothing", async () => {
    const rt = await runtimeWith({ penryn: cpu("intel", PENRYN) }, { evc: { mode: "intel-penryn" } });
    const refused = rt.apply(esxHost("old", "prod", cpu("intel", MEROM)));
    await expect(refused).rejects.toMatchObject({ code: "Incompatible", field: "cpu" });
    await expect(refused).rejects.toThrow(/the CPU lacks sse4\.1 of EVC mode intel-penryn/);
    await expect(rt.apply(esxHost("amd", "prod", cpu("amd", AMD)))).rejects.toThrow(
      /EVC mode intel-penryn is for intel CPUs, the host's is amd/,
    );
    expect(await rt.get("Host", "old")).toBeUndefined();
    await rt.close();
  });

  it("refuses a baseline some host of the cluster cannot meet, naming each, and keeps the old one", async () => {
    const rt = await runtimeWith({ penryn: cpu("intel", PENRYN), merom: cpu("intel", MEROM) });
    const before = await rt.get("Cluster", "prod");
    const refused = rt.apply(cluster("prod", { evc: { mode: "intel-nehalem" } }));
    await expect(refused).rejects.toMatchObject({ code: "Incompatible", field: "evc.mode" });
    await expect(refused).rejects.toThrow(/merom: the CPU lacks sse4\.1, sse4\.2, popcnt of EVC mode intel-nehalem/);
    await expect(refused).rejects.toThrow(/penryn: the CPU lacks sse4\.2, popcnt/);
    expect(await rt.get("Cluster", "prod")).toEqual(before);
    await rt.apply(cluster("prod", { evc: { mode: "intel-merom" } }));
    await rt.close();
  });

  it("refuses a feature of the other vendor on a host", async () => {
    const rt = await runtimeWith({});
    await expect(rt.apply(esxHost("h", "prod", cpu("intel", [...MEROM, "sse4a"])))).rejects.toThrow(
      /sse4a is an amd feature; the host's vendor is intel/,
    );
    await rt.close();
  });
});
