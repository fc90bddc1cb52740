/**
 * Plans onto existing hosts of different sizes (a hosts file), with or without a model to add:
 * applied to a runtime every VM lands where planned within each host's capacity, and with
 * --ha-failures N the runtime's HA restarts every VM of any N failed hosts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Runtime, type VirtualMachineObject, openRuntime } from "../../runtime";
import { type HostModel, type PlanOptions, planConsolidation } from "../../runtime/planning/consolidate";
import { type ExistingHost, parseHosts } from "../../runtime/planning/hosts-file";
import { type Server, parseInventory } from "../../runtime/planning/inventory";
import { planObjects } from "../../runtime/planning/objects";

const MODEL: HostModel = {
  cores: 16,
  mhz: 2600,
  memoryMb: 65536,
  hypervisor: "esx",
  hypervisorVersion: "8.0",
  vendor: "intel",
  features: ["vmx", "ept", "lm"],
};
const HOSTS_CSV = [
  "name,cores,mhz,memoryMb,hypervisor,hypervisorVersion,vendor,features",
  'big1,32,2600,262144,esx,8.0,intel,"vmx,ept,lm"',
  "mid1,16,2400,131072,esx,8.0,amd,",
  "mid2,16,2400,98304,esx,8.0,intel,",
  "small1,8,2000,65536,esx,8.0,intel,",
  "small2,8,2000,32768,esx,8.0,intel,",
  "small3,8,3000,32768,esx,8.0,intel,",
].join("\n");
const HOSTS = parseHosts(HOSTS_CSV, "hosts.csv");
const BASE: PlanOptions = { hosts: HOSTS, haFailures: 0, haPolicy: "resourcePercentage", headroomPercent: 0 };

const serversArb = (min: number, max: number) =>
  fc
    .array(
      fc.record({
        os: fc.constantFrom("linux", "windows"),
        arch: fc.constantFrom("x86", "x86_64"),
        cores: fc.integer({ min: 1, max: 8 }),
        mhz: fc.constantFrom(2000, 2400, 3000),
        memoryMb: fc.constantFrom(2048, 4096, 8192, 16384, 24576),
        cpuPercent: fc.integer({ min: 0, max: 100 }),
        memoryPercent: fc.integer({ min: 1, max: 100 }),
      }),
      { minLength: min, maxLength: max },
    )
    .map((rows) => rows.map((r, i): Server => ({ name: `srv${String(i).padStart(3, "0")}`, diskGb: 40, ...r }) as Server));

async function applied(plan: ReturnType<typeof planConsolidation>): Promise<Runtime> {
  const rt = await openRuntime({ path: ":memory:" });
  for (const obj of planObjects(plan)) await rt.apply(obj);
  return rt;
}

/** Every VM on its planned host, and no host reserving beyond its capacity less the headroom. */
async function expectLanded(rt: Runtime, plan: ReturnType<typeof planConsolidation>, headroom: number): Promise<void> {
  for (const p of plan.placements)
    expect(((await rt.get("VirtualMachine", p.server)) as VirtualMachineObject).status.currentHost).toBe(p.host);
  for (const h of plan.hostUsage) {
    const s = (await rt.get("Host", h.host))!.status as {
      cpuReservedMhz: number;
      memoryReservedMb: number;
      cpuCapacityMhz: number;
      memoryCapacityMb: number;
    };
    expect(s.cpuReservedMhz, h.host).toBeLessThanOrEqual(s.cpuCapacityMhz * (1 - headroom / 100));
    expect(s.memoryReservedMb, h.host).toBeLessThanOrEqual(s.memoryCapacityMb * (1 - headroom / 100));
    expect([h.cpuCapacityMhz, h.memoryCapacityMb]).toEqual([s.cpuCapacityMhz, s.memoryCapacityMb]);
  }
}

/** Fails `failed` in a runtime holding the plan (pins dropped, as HA restarts only unpinned VMs): every VM must run again. */
async function expectSurvives(plan: ReturnType<typeof planConsolidation>, failed: string[]): Promise<void> {
  const rt = await applied(plan);
  for (const v of plan.vmSpecs) await rt.apply({ kind: "VirtualMachine", name: v.name, spec: { ...v.spec, host: undefined } });
  for (const h of failed) await rt.failHost(h);
  await rt.advance(900);
  const cluster = (await rt.get("Cluster", plan.cluster.name))!.status as { ha: { pendingRestarts: number } };
  expect(cluster.ha.pendingRestarts, `after ${failed.join(", ")} failed`).toBe(0);
  const vms = (await rt.list("VirtualMachine")) as VirtualMachineObject[];
  expect(
    vms.filter((v) => v.status.powerState !== "on" || failed.includes(v.status.currentHost ?? "")).map((v) => v.name),
    `after ${failed.join(", ")} failed`,
  ).toEqual([]);
  await rt.close();
}

const pairs = <T>(xs: T[]): [T, T][] => xs.flatMap((a, i) => xs.slice(i + 1).map((b): [T, T] => [a, b]));

describe("consolidation onto existing hosts of different sizes", () => {
  it("reads the hosts file: flags' defaults for empty optional cells, features as a quoted list", () => {
    expect(HOSTS.map((h) => h.name)).toEqual(["big1", "mid1", "mid2", "small1", "small2", "small3"]);
    expect(HOSTS[0].features).toEqual(["vmx", "ept", "lm"]);
    expect(HOSTS[1]).toMatchObject({ vendor: "amd", features: ["svm", "npt", "lm"] });
    const json = parseHosts(JSON.stringify([{ name: "h1", cores: 8, mhz: 2000, memoryMb: 8192, hypervisor: "kvm" }]), "h.json");
    expect(json[0]).toMatchObject({ name: "h1", vendor: "intel", features: ["vmx", "ept", "lm"] });
  });

  it("refuses a bad hosts file naming the host, the field, the file and line", () => {
    const header = "name,cores,mhz,memoryMb,hypervisor";
    expect(() => parseHosts(`${header}\n\n# spare rack\nh1,8,2000,lots,esx\n`, "hosts.csv")).toThrow(
      /^InvalidSpec: Host h1: field memoryMb: hosts.csv line 4: .*\(got lots\)$/,
    );
    expect(() => parseHosts(`${header}\nh1,8,2000,8192,vmware\n`, "hosts.csv")).toThrow(
      /^InvalidSpec: Host h1: field hypervisor: hosts.csv line 2: /,
    );
    expect(() => parseHosts(`${header},features\nh1,8,2000,8192,esx,"vmx,warp"\n`, "hosts.csv")).toThrow(
      /Host h1: field features\.1: hosts.csv line 2/,
    );
    expect(() => parseHosts("name,cores\nh1,8\n", "hosts.csv")).toThrow(
      /^InvalidSpec: HostsFile hosts.csv: field header: missing column\(s\) mhz, memoryMb, hypervisor/,
    );
    expect(() => parseHosts(`${header}\nh1,8,2000,8192,esx\nh1,8,2000,8192,esx\n`, "hosts.csv")).toThrow(
      /Host h1: field name: listed twice/,
    );
    expect(() => parseHosts(`[{"name":"h1","cores":0,"mhz":2000,"memoryMb":8192,"hypervisor":"esx"}]`, "h.json")).toThrow(
      /Host h1: field cores: h.json item 1: /,
    );
    expect(() => parseHosts(`${header}\n`, "hosts.csv")).toThrow(/HostsFile hosts.csv: lists no host/);
  });

  it("an exact small case: three servers that take 60% of the small hosts go two on the big host, one on a small one", () => {
    const hosts = parseHosts(
      "name,cores,mhz,memoryMb,hypervisor,hypervisorVersion\nsmallA,10,1000,16384,esx,8.0\nbig,16,1000,32768,esx,8.0\nsmallB,10,1000,16384,esx,8.0\n",
      "h.csv",
    );
    // 6,000 MHz each (60% of 10 cores at 1000 MHz) and 8 GB of memory: no two share a small host.
    const servers = parseInventory(
      "name,os,arch,cores,mhz,memoryMb,diskGb,cpuPercent,memoryPercent\na,linux,x86_64,6,1000,8192,10,100,100\nb,linux,x86_64,6,1000,8192,10,100,100\nc,linux,x86_64,6,1000,8192,10,100,100\n",
      "inv.csv",
    );
    const plan = planConsolidation(servers, { ...BASE, hosts });
    expect(plan.hosts).toBe(2);
    expect(plan.lowerBound).toBe(2);
    expect(plan.hostUsage.map((h) => [h.host, h.vms])).toEqual([
      ["big", 2],
      ["smallA", 1],
    ]);
    expect(plan.unusedHosts).toEqual(["smallB"]);
    expect(plan.unplaced).toEqual([]);
  });

  it("lands every VM where planned within each host's capacity; the bound never exceeds the plan", async () => {
    const cases = fc.sample(serversArb(4, 24), { seed: 1511, numRuns: 4 });
    for (const [k, servers] of cases.entries()) {
      const headroom = k * 5;
      const plan = planConsolidation(servers, { ...BASE, host: k % 2 === 0 ? MODEL : undefined, headroomPercent: headroom });
      expect(plan.lowerBound).toBeLessThanOrEqual(plan.hosts);
      expect(plan.placements.length + plan.unplaced.length).toBe(servers.length);
      // Every existing host is loaded, spare or reported unused.
      expect([...plan.hostUsage.map((h) => h.host), ...plan.unusedHosts].filter((n) => HOSTS.some((h) => h.name === n)).sort()).toEqual(
        HOSTS.map((h) => h.name).sort(),
      );
      const rt = await applied(plan);
      await expectLanded(rt, plan, headroom);
      await rt.close();
    }
  });

  it("reports the servers that do not fit the hosts; with a host model, adds hosts of it instead (named apart)", () => {
    const [servers] = fc.sample(serversArb(60, 60), { seed: 1512, numRuns: 1 });
    const two: ExistingHost[] = HOSTS.filter((h) => h.name.startsWith("small")).map((h, i) => ({ ...h, name: `host0${i + 1}` }));
    const alone = planConsolidation(servers, { ...BASE, hosts: two });
    expect(alone.unplaced.length).toBeGreaterThan(0);
    expect(alone.placements.length + alone.unplaced.length).toBe(60);
    expect(alone.hosts).toBe(3);
    const grown = planConsolidation(servers, { ...BASE, hosts: two, host: MODEL });
    expect(grown.unplaced).toEqual([]);
    expect(grown.hosts).toBeGreaterThan(3);
    const names = grown.hostUsage.map((h) => h.host);
    expect(new Set(names).size).toBe(names.length);
    // The existing hosts keep their names; the new ones are named apart from them.
    expect([...names, ...grown.unusedHosts].filter((n) => two.some((h) => h.name === n)).sort()).toEqual(["host01", "host02", "host03"]);
  });

  it("with --ha-failures 1, HA restarts every VM of any one failed host, the largest included", async () => {
    const [servers] = fc.sample(serversArb(20, 20), { seed: 1513, numRuns: 1 });
    const plan = planConsolidation(servers, { ...BASE, haFailures: 1 });
    expect(plan.unplaced).toEqual([]);
    // The spare is the largest host: losing it or any other leaves room for what it carried.
    expect(plan.spareHosts).toEqual(["big1"]);
    for (const h of plan.hostUsage) await expectSurvives(plan, [h.host]);
  });

  it("with --ha-failures 2 and a host model, HA restarts every VM of any two failed hosts", async () => {
    const [servers] = fc.sample(serversArb(30, 30), { seed: 1514, numRuns: 1 });
    const plan = planConsolidation(servers, { ...BASE, hosts: HOSTS.slice(2), host: MODEL, haFailures: 2 });
    expect(plan.unplaced).toEqual([]);
    expect(plan.spareHosts).toHaveLength(2);
    // Each loaded host carries at most what the smallest spare can take, in both dimensions.
    const spare = plan.hostUsage.filter((h) => plan.spareHosts.includes(h.host));
    for (const h of plan.hostUsage) {
      expect(h.cpuMhz).toBeLessThanOrEqual(Math.min(...spare.map((s) => s.cpuCapacityMhz)));
      expect(h.memoryMb).toBeLessThanOrEqual(Math.min(...spare.map((s) => s.memoryCapacityMb)));
    }
    for (const failed of pairs(plan.hostUsage.map((h) => h.host)).slice(0, 12)) await expectSurvives(plan, failed);
  });

  it("peak-aligned samples onto hosts of different sizes land where planned too", async () => {
    const [servers] = fc.sample(serversArb(12, 12), { seed: 1518, numRuns: 1 });
    const samples = new Map(
      servers.map((srv, i) => [
        srv.name,
        ["00", "12"].map((time, h) => ({
          name: srv.name,
          time,
          cpuPercent: (i + h) % 2 === 0 ? srv.cpuPercent : 5,
          memoryPercent: srv.memoryPercent,
        })),
      ]),
    );
    const plan = planConsolidation(servers, { ...BASE, samples, host: MODEL });
    expect(plan.placements).toHaveLength(12);
    const rt = await applied(plan);
    await expectLanded(rt, plan, 0);
    await rt.close();
  });

  it("keeps an existing host as the spare rather than add a larger one of the model, when the servers fit", async () => {
    const [servers] = fc.sample(serversArb(10, 10), { seed: 1519, numRuns: 1 });
    const model: HostModel = { ...MODEL, cores: 64, memoryMb: 524288 };
    const plan = planConsolidation(servers, { ...BASE, host: model, haFailures: 1 });
    const existing = new Set(HOSTS.map((h) => h.name));
    expect(plan.hostUsage.every((h) => existing.has(h.host))).toBe(true);
    expect(plan.spareHosts).toEqual(["big1"]);
    for (const h of plan.hostUsage) await expectSurvives(plan, [h.host]);
  });

  it("refuses HA when the hosts cannot spare N of them", () => {
    const [servers] = fc.sample(serversArb(3, 3), { seed: 1515, numRuns: 1 });
    expect(() => planConsolidation(servers, { ...BASE, hosts: HOSTS.slice(0, 2), haFailures: 2 })).toThrow(
      /AdmissionControl: Cluster consolidated: every one of the 2 hosts is a spare/,
    );
    expect(() => planConsolidation(servers, { ...BASE, hosts: HOSTS.slice(0, 1), haFailures: 2 })).toThrow(
      /AdmissionControl: Cluster consolidated: 2 host failure\(s\) need 2 empty spare host\(s\)/,
    );
  });

  it("checks each server on every host: a 64-bit server and one host without lm is refused, naming the host", () => {
    const [servers] = fc.sample(serversArb(5, 5), { seed: 1516, numRuns: 1 });
    const x64 = servers.map((s) => ({ ...s, arch: "x86_64" as const }));
    const hosts = [...HOSTS, { ...HOSTS[0], name: "old1", features: ["vmx" as const] }];
    expect(() => planConsolidation(x64, { ...BASE, hosts })).toThrow(
      /Incompatible: Server srv000: cannot run as a VM on host old1 \(esx 8.0\)/,
    );
  });

  it("is deterministic, whatever the order of the hosts file", () => {
    const [servers] = fc.sample(serversArb(40, 40), { seed: 1517, numRuns: 1 });
    expect(planConsolidation(servers, { ...BASE, host: MODEL, haFailures: 1 })).toEqual(
      planConsolidation([...servers].reverse(), { ...BASE, hosts: [...HOSTS].reverse(), host: MODEL, haFailures: 1 }),
    );
  });
});
