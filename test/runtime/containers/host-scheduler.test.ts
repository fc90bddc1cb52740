import { describe, expect, it } from "vitest";
import { scheduleHost } from "../../../runtime/core/containers/host-scheduler";
import { ContainerSpec, type ContainerSpecInput } from "../../../schema/container";

const c = (name: string, input: Partial<ContainerSpecInput>) => ({
  name,
  spec: ContainerSpec.parse({ host: "h", template: "t", memoryMb: 256, diskGb: 1, ...input }),
});
const host = (hypervisor: string) => ({ hypervisor, cpus: 2, mhz: 1000, pools: [] });

describe("scheduleHost", () => {
  it("weighs cpuunits on OpenVZ hosts and ignores FSS shares there", () => {
    const r = scheduleHost(host("openvz"), [
      c("a", { cpu: { units: 3000, shares: 1 }, workload: { cpuDemandMhz: 5000 } }),
      c("b", { cpu: { shares: 50 }, workload: { cpuDemandMhz: 5000 } }),
    ]);
    if (!r.ok) throw new Error("unexpected");
    expect(r.entitlements.get("a")!.cpuMhz).toBe(1500);
    expect(r.entitlements.get("b")!.cpuMhz).toBe(500);
  });

  it("weighs zone shares on zones hosts, with project figures", () => {
    const r = scheduleHost(host("zones"), [
      c("a", {
        cpu: { shares: 3 },
        projects: [
          { name: "p", shares: 1, workload: { cpuDemandMhz: 5000 } },
          { name: "q", shares: 1, workload: { cpuDemandMhz: 100 } },
        ],
      }),
      c("b", { cpu: { shares: 1 }, workload: { cpuDemandMhz: 5000 } }),
    ]);
    if (!r.ok) throw new Error("unexpected");
    expect(r.entitlements.get("a")).toEqual({ cpuMhz: 1500, projectsMhz: { p: 1400, q: 100 } });
    expect(r.entitlements.get("b")!.cpuMhz).toBe(500);
  });

  it("reports processor sets that do not fit", () => {
    const r = scheduleHost(host("zones"), [c("a", { cpu: { dedicatedCpus: 2 } })]);
    expect(r.ok).toBe(false);
  });

  it("gives an idle container nothing", () => {
    const r = scheduleHost(host("openvz"), [c("a", {})]);
    if (!r.ok) throw new Error("unexpected");
    expect(r.entitlements.get("a")!.cpuMhz).toBe(0);
  });
});
