/**
 * VM Monitoring. Sources: vSphere Availability 6.7, "VM and Application Monitoring" (reset after the
 * failure interval without heartbeats; resets per window; counts clear on power off); API
 * ClusterVmToolsMonitoringSettings defaults (failureInterval 30 s, minUpTime 120 s, maxFailures 3) and
 * the High sensitivity's 1 h window.
 */
import { describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { RuntimeEvent, VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";

async function monitored(vmMonitoring: object = { enabled: true }): Promise<Runtime> {
  const rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", { ha: { enabled: true, vmMonitoring, admissionControl: { policy: "disabled" } } }));
  await rt.apply(esxHost("esx1"));
  await rt.apply(vm("app"));
  return rt;
}

const health = async (rt: Runtime) => ((await rt.get("VirtualMachine", "app")) as VirtualMachineObject).status.guestHealth;
const monitoringEvents = (events: RuntimeEvent[]) =>
  events
    .filter((e) => e.name === "app" && ["GuestHeartbeatLost", "VmMonitoringReset", "VmMonitoringGaveUp"].includes(e.reason))
    .map((e) => `${e.timeSeconds} ${e.reason}`);

describe("VM Monitoring", () => {
  it("resets a VM whose heartbeats stop for the failure interval (30 s)", async () => {
    const rt = await monitored();
    await rt.failVm("app");
    expect(await health(rt)).toMatchObject({ heartbeat: "lost", failure: "heartbeat", lostAtSeconds: 0 });
    await rt.advance(29);
    expect((await health(rt))!.heartbeat).toBe("lost");
    await rt.advance(1);
    expect(await health(rt)).toMatchObject({ heartbeat: "ok", resetsAtSeconds: [30] });
    expect(monitoringEvents(await rt.events())).toEqual(["0 GuestHeartbeatLost", "30 VmMonitoringReset"]);
    expect(((await rt.get("VirtualMachine", "app")) as VirtualMachineObject).status.powerState).toBe("on");
    await rt.close();
  });

  it("waits out minUptime after a reset, and gives up after maxResets in the window", async () => {
    const rt = await monitored({ enabled: true, maxResets: 2 });
    await rt.failVm("app", { mode: "crash" });
    await rt.advance(30);
    // Failing again at once: the guest is booting; heartbeats are checked from 30 + 120 s.
    await rt.failVm("app", { mode: "crash" });
    await rt.advance(200);
    await rt.failVm("app");
    await rt.advance(400);
    expect(monitoringEvents(await rt.events())).toEqual([
      "0 GuestHeartbeatLost",
      "30 VmMonitoringReset",
      "30 GuestHeartbeatLost",
      "150 VmMonitoringReset",
      "230 GuestHeartbeatLost",
      "270 VmMonitoringGaveUp",
    ]);
    expect(await health(rt)).toMatchObject({ heartbeat: "lost", gaveUp: true, resetsAtSeconds: [30, 150] });
    await rt.close();
  });

  it("resets again once the window has passed", async () => {
    const rt = await monitored({ enabled: true, maxResets: 1, maxResetsWindowSeconds: 600 });
    await rt.failVm("app");
    await rt.advance(700);
    await rt.failVm("app");
    await rt.advance(60);
    expect(monitoringEvents(await rt.events())).toEqual([
      "0 GuestHeartbeatLost",
      "30 VmMonitoringReset",
      "700 GuestHeartbeatLost",
      "730 VmMonitoringReset",
    ]);
    await rt.close();
  });

  it("does nothing when VM Monitoring is off; powering off clears the record", async () => {
    const rt = await monitored({ enabled: false });
    await rt.failVm("app");
    await rt.advance(3600);
    expect(monitoringEvents(await rt.events())).toEqual(["0 GuestHeartbeatLost"]);
    expect((await health(rt))!.heartbeat).toBe("lost");
    await rt.apply(vm("app", { powerState: "off" }));
    expect(await health(rt)).toBeUndefined();
    await rt.close();
  });

  it("refuses a VM that is not running, an unknown VM and a bad mode, changing nothing", async () => {
    const rt = await monitored();
    await rt.apply(vm("off", { powerState: "off" }));
    const before = await rt.list("VirtualMachine");
    await expect(rt.failVm("off")).rejects.toMatchObject({
      code: "Conflict",
      message: expect.stringMatching(/VirtualMachine off: the VM is not running/),
    });
    await expect(rt.failVm("ghost")).rejects.toMatchObject({ code: "NotFound" });
    await expect(rt.failVm("app", { mode: "melt" as "crash" })).rejects.toMatchObject({ code: "InvalidSpec", field: "mode" });
    await rt.failVm("app");
    await expect(rt.failVm("app")).rejects.toMatchObject({ code: "Conflict", message: expect.stringMatching(/already failed at t=0 s/) });
    expect((await rt.list("VirtualMachine")).find((v) => v.name === "off")).toEqual(before.find((v) => v.name === "off"));
    await rt.close();
  });
});
