/**
 * A cluster holding both VM hosts and container hosts: VMs are entitled only to the capacity of the
 * hosts that can run them, and container hosts keep their own schedulers.
 */
import { describe, expect, it } from "vitest";
import { type VirtualMachineObject, openRuntime } from "../../../runtime";
import { cluster, esxHost, vm } from "../../support/fixtures";

describe("a cluster of VM hosts and container hosts", () => {
  it("divides only the VM hosts' capacity among the VMs", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    try {
      await rt.apply(cluster("prod"));
      // One ESX host of 4 x 2600 MHz, and an OpenVZ host as large that no VM can use.
      const cpu = { sockets: 1, coresPerSocket: 4, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] };
      await rt.apply(esxHost("esx1", "prod", { cpu }));
      await rt.apply(esxHost("vz1", "prod", { hypervisor: "openvz", cpu }));
      // Two 4-vCPU VMs that each want the whole ESX host: with equal shares each is entitled to half.
      for (const name of ["a", "b"]) await rt.apply(vm(name, { vcpus: 4, workload: { cpuDemandMhz: 10400 } }));
      await rt.advance(300);
      for (const name of ["a", "b"]) {
        const status = ((await rt.get("VirtualMachine", name)) as VirtualMachineObject).status;
        expect(status.currentHost).toBe("esx1");
        expect(status.cpuEntitlementMhz).toBeLessThanOrEqual(5200);
        expect(status.cpuEntitlementMhz).toBeGreaterThan(5000);
      }
    } finally {
      await rt.close();
    }
  });
});
