import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Runtime, type VirtualMachineObject, openRuntime } from "../../runtime";
import { type HostModel, type PlanOptions, planConsolidation } from "../../runtime/planning/consolidate";
import { type Server, parseInventory } from "../../runtime/planning/inventory";
import { planObjects } from "../../runtime/planning/objects";

const HOST: HostModel = {
  cores: 16,
  mhz: 2600,
  memoryMb: 65536,
  hypervisor: "esx",
  hypervisorVersion: "8.0",
  vendor: "intel",
  features: ["vmx", "ept", "lm"],
};
const OPTIONS: PlanOptions = { host: HOST, haFailures: 0, haPolicy: "resourcePercentage", headroomPercent: 0 };

const serversArb = (max: number) =>
  fc
    .array(
      fc.record({
        os: fc.constantFrom("linux", "windows", "freebsd"),
        arch: fc.constantFrom("x86", "x86_64"),
        cores: fc.integer({ min: 1, max: 8 }),
        mhz: fc.constantFrom(2000, 2400, 3000),
        memoryMb: fc.constantFrom(2048, 4096, 8192, 16384, 32768),
        cpuPercent: fc.integer({ min: 0, max: 100 }),
        memoryPercent: fc.integer({ min: 1, max: 100 }),
      }),
      { minLength: 1, maxLength: max },
    )
    .map((rows) => rows.map((r, i): Server => ({ name: `srv${String(i).padStart(3, "0")}`, diskGb: 40, ...r }) as Server));

async function applied(plan: ReturnType<typeof planConsolidation>): Promise<Runtime> {
  const rt = await openRuntime({ path: ":memory:" });
  for (const obj of planObjects(plan)) await rt.apply(obj);
  return rt;
}

describe("consolidation plan", () => {
  it("applied to a fresh runtime, places every VM on its planned host, within every host's capacity", async () => {
    const cases = fc.sample(serversArb(30), { seed: 1501, numRuns: 6 });
    for (const [k, servers] of cases.entries()) {
      const plan = planConsolidation(servers, { ...OPTIONS, headroomPercent: k * 5, haFailures: k % 3 });
      expect(plan.placements).toHaveLength(servers.length);
      expect(plan.lowerBound).toBeLessThanOrEqual(plan.hosts);
      const rt = await applied(plan);
      for (const p of plan.placements) {
        const vm = (await rt.get("VirtualMachine", p.server)) as VirtualMachineObject;
        expect(vm.status.currentHost, p.server).toBe(p.host);
        expect(vm.spec.vcpus).toBe(p.vcpus);
      }
      for (const h of plan.hostUsage) {
        const host = await rt.get("Host", h.host);
        const s = host!.status as { cpuReservedMhz: number; memoryReservedMb: number; cpuCapacityMhz: number; memoryCapacityMb: number };
        expect(s.cpuReservedMhz).toBeLessThanOrEqual(s.cpuCapacityMhz * (1 - (k * 5) / 100));
        expect(s.memoryReservedMb).toBeLessThanOrEqual(s.memoryCapacityMb * (1 - (k * 5) / 100));
        // The plan's own figures are what the runtime reserves, rounded up.
        expect(h.memoryMb).toBeGreaterThanOrEqual(s.memoryReservedMb - 1e-9);
      }
      await rt.close();
    }
  });

  it("with --ha-failures 1, the runtime's HA restarts every VM of any one failed host (no pending restart)", async () => {
    const [servers] = fc.sample(serversArb(24), { seed: 1502, numRuns: 1 });
    const plan = planConsolidation(servers, { ...OPTIONS, haFailures: 1 });
    expect(plan.spareHosts).toHaveLength(plan.hosts - plan.hostUsage.filter((h) => h.vms > 0).length);
    for (const failed of plan.hostSpecs.map((h) => h.name)) {
      const rt = await applied(plan);
      // HA restarts elsewhere only VMs that are not pinned: drop the pins (a running VM stays put).
      for (const v of plan.vmSpecs) await rt.apply({ kind: "VirtualMachine", name: v.name, spec: { ...v.spec, host: undefined } });
      await rt.failHost(failed);
      await rt.advance(900);
      const cluster = (await rt.get("Cluster", plan.cluster.name))!.status as { ha: { pendingRestarts: number } };
      expect(cluster.ha.pendingRestarts, `after ${failed} failed`).toBe(0);
      const vms = (await rt.list("VirtualMachine")) as VirtualMachineObject[];
      expect(
        vms.filter((v) => v.status.powerState !== "on").map((v) => v.name),
        `after ${failed} failed`,
      ).toEqual([]);
      await rt.close();
    }
  });

  it("keeps the HA policy: the runtime's admission control admits every VM under each policy", async () => {
    const [servers] = fc.sample(serversArb(20), { seed: 1503, numRuns: 1 });
    for (const haPolicy of ["resourcePercentage", "slotPolicy", "failoverHosts"] as const) {
      for (const haFailures of [1, 2]) {
        const plan = planConsolidation(servers, { ...OPTIONS, haFailures, haPolicy });
        const rt = await applied(plan); // a refused power-on would throw AdmissionControl
        const vms = (await rt.list("VirtualMachine")) as VirtualMachineObject[];
        expect(vms.every((v) => v.status.powerState === "on")).toBe(true);
        await rt.close();
      }
    }
  });

  it("a plan survives any N host failures: the loaded hosts left hold every VM", () => {
    const [servers] = fc.sample(serversArb(40), { seed: 1504, numRuns: 1 });
    const plan = planConsolidation(servers, { ...OPTIONS, haFailures: 2 });
    const cap = plan.hostUsage[0];
    const loads = plan.hostUsage.map((h) => [h.cpuMhz, h.memoryMb]);
    // The N spare hosts are empty and as large as any host: whichever N fail, their load fits the spares that survive.
    const spares = plan.hostUsage.filter((h) => h.vms === 0).length;
    expect(spares).toBeGreaterThanOrEqual(2);
    for (const [cpu, mem] of loads) {
      expect(cpu).toBeLessThanOrEqual(cap.cpuCapacityMhz);
      expect(mem).toBeLessThanOrEqual(cap.memoryCapacityMb);
    }
  });

  it("checks compatibility with the runtime's rules: Windows is no paravirtual Xen guest, 64-bit needs lm", () => {
    const windows = parseInventory(
      "name,os,arch,cores,mhz,memoryMb,diskGb,cpuPercent,memoryPercent\nw1,windows,x86,2,2000,4096,40,30,50\n",
      "inv.csv",
    );
    const xenPvOnly: HostModel = { ...HOST, hypervisor: "xen", hypervisorVersion: "3.0", features: ["lm"] };
    expect(() => planConsolidation(windows, { ...OPTIONS, host: xenPvOnly })).toThrow(/Incompatible: Server w1/);
    expect(planConsolidation(windows, { ...OPTIONS, host: { ...xenPvOnly, features: ["vmx", "lm"] } }).hosts).toBe(1);
    const x64 = parseInventory(
      "name,os,arch,cores,mhz,memoryMb,diskGb,cpuPercent,memoryPercent\nl1,linux,x86_64,2,2000,4096,40,30,50\n",
      "inv.csv",
    );
    expect(() => planConsolidation(x64, { ...OPTIONS, host: { ...HOST, features: ["vmx", "ept"] } })).toThrow(
      /64-bit guests need a 64-bit host CPU/,
    );
  });

  it("peak-aligned plans from samples land where planned too: each VM reserves its demand at its host's peak", async () => {
    const [servers] = fc.sample(serversArb(24), { seed: 1506, numRuns: 1 });
    const hours = ["00", "06", "12", "18"];
    const samples = new Map(
      servers.map((srv, i) => [
        srv.name,
        hours.map((time, h) => ({
          name: srv.name,
          time,
          cpuPercent: (srv.cpuPercent * ((i + h) % 4)) / 3,
          memoryPercent: srv.memoryPercent,
        })),
      ]),
    );
    const plan = planConsolidation(servers, { ...OPTIONS, samples });
    const byPeak = planConsolidation(servers, { ...OPTIONS, samples, percentile: 100 });
    expect(plan.hosts).toBeLessThanOrEqual(byPeak.hosts);
    const rt = await applied(plan);
    for (const p of plan.placements)
      expect(((await rt.get("VirtualMachine", p.server)) as VirtualMachineObject).status.currentHost).toBe(p.host);
    await rt.close();
  });

  it("sizes a VM from utilization: CPU from cores x MHz x utilization, memory from used memory plus overhead", () => {
    const servers = parseInventory(
      "name,os,arch,cores,mhz,memoryMb,diskGb,cpuPercent,memoryPercent\na,linux,x86_64,4,3000,8192,40,25,50\n",
      "inv.csv",
    );
    const plan = planConsolidation(servers, OPTIONS);
    expect(plan.placements[0]).toEqual({ server: "a", host: "host01", vcpus: 2, memoryMb: 4096, cpuMhz: 3000 });
    // The host's memory use includes the hypervisor's overhead for the guest.
    expect(plan.hostUsage[0].memoryMb).toBeGreaterThan(4096);
  });

  it("a server larger than a host is refused, naming it", () => {
    const servers = parseInventory(
      "name,os,arch,cores,mhz,memoryMb,diskGb,cpuPercent,memoryPercent\nbig,linux,x86_64,8,3000,131072,40,10,90\n",
      "inv.csv",
    );
    expect(() => planConsolidation(servers, OPTIONS)).toThrow(/InsufficientCapacity: Server big: .*MB memory/);
  });

  it("is deterministic", () => {
    const [servers] = fc.sample(serversArb(50), { seed: 1505, numRuns: 1 });
    expect(planConsolidation(servers, OPTIONS)).toEqual(planConsolidation([...servers].reverse(), OPTIONS));
  });
});
