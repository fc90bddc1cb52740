/**
 * The VM DRS score (vSphere 7; VMware, "A Closer Look at the VM DRS Score", 2020): 100 when a VM gets
 * all it demands, lower under contention; the cluster shows how many VMs fall in each score range.
 */
import { describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import type { ClusterObject, VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";

describe("VM DRS score", () => {
  it("is 100 without contention, the share of its demand a VM gets under it, and bucketed per cluster", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(cluster("prod", { drs: { automationLevel: "manual" } }));
    // One host of 4 x 2600 = 10400 MHz: two VMs demanding 10400 MHz each get about half of it.
    await rt.apply(
      esxHost("esx1", "prod", { cpu: { sockets: 1, coresPerSocket: 4, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] } }),
    );
    await rt.apply(vm("idle", { workload: { cpuDemandMhz: 100, activeMemoryMb: 512 } }));
    await rt.runDrs("prod");
    expect(((await rt.get("VirtualMachine", "idle")) as VirtualMachineObject).status.drsScore).toBe(100);
    for (const name of ["busy1", "busy2"]) await rt.apply(vm(name, { vcpus: 4, workload: { cpuDemandMhz: 10400, activeMemoryMb: 512 } }));
    await rt.runDrs("prod");
    const busy = (await rt.get("VirtualMachine", "busy1")) as VirtualMachineObject;
    const share = busy.status.cpuGuestEntitlementMhz! / 10400;
    expect(share).toBeLessThan(0.6);
    expect(busy.status.drsScore).toBe(Math.round(100 * share));
    const idle = (await rt.get("VirtualMachine", "idle")) as VirtualMachineObject;
    expect(idle.status.drsScore).toBe(100);
    const buckets = ((await rt.get("Cluster", "prod")) as ClusterObject).status.drs.vmScoreBuckets;
    expect(buckets).toEqual({ "0-20": 0, "21-40": 0, "41-60": 2, "61-80": 0, "81-100": 1 });
    await rt.apply(vm("idle", { powerState: "off", workload: { cpuDemandMhz: 100, activeMemoryMb: 512 } }));
    expect(((await rt.get("VirtualMachine", "idle")) as VirtualMachineObject).status.drsScore).toBeNull();
    await rt.close();
  });
});
