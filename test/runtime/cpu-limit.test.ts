/**
 * A CPU limit caps what the guest gets (vSphere Resource Management: "a limit specifies an upper bound
 * for CPU ... resources that can be allocated to a virtual machine"); the hypervisor's overhead for
 * delivering it is its own part, shown apart in status.
 */
import { describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import type { VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";

describe("CPU limit and the hypervisor's part", () => {
  it("keeps the guest's entitlement at its limit and shows the overhead apart", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(cluster());
    await rt.apply(esxHost("esx1"));
    await rt.apply(vm("capped", { cpu: { limitMhz: 1000 }, workload: { cpuDemandMhz: 8000 } }));
    await rt.runDrs("prod");
    const s = ((await rt.get("VirtualMachine", "capped")) as VirtualMachineObject).status;
    expect(s.overheadCpuPercent).toBeGreaterThan(0);
    expect(s.cpuGuestEntitlementMhz).toBe(1000);
    expect(s.cpuOverheadEntitlementMhz).toBe(s.cpuEntitlementMhz - 1000);
    expect(s.cpuOverheadEntitlementMhz).toBe(Math.ceil((1000 * s.overheadCpuPercent) / 100));
    expect(s.cpuUsedMhz).toBeLessThanOrEqual(1000);
    await rt.close();
  });

  it("without a limit the guest's part is its demand", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(cluster());
    await rt.apply(esxHost("esx1"));
    await rt.apply(vm("free", { workload: { cpuDemandMhz: 3000 } }));
    await rt.runDrs("prod");
    const s = ((await rt.get("VirtualMachine", "free")) as VirtualMachineObject).status;
    expect(s.cpuGuestEntitlementMhz).toBe(3000);
    expect(s.cpuGuestEntitlementMhz! + s.cpuOverheadEntitlementMhz!).toBe(s.cpuEntitlementMhz);
    await rt.close();
  });
});
