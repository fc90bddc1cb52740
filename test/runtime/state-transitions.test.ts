import { describe, expect, it } from "vitest";
import type { HaRestart } from "../../schema/virtual-machine";
import { nextContainerMove } from "../../runtime/core/containers/container-move-state";
import { nextContainerRestart, nextVmRestart } from "../../runtime/core/ha/restart-state";
import { nextHostState } from "../../runtime/core/hosts/host-state";

const restart = (state: HaRestart["state"]): HaRestart => ({
  state,
  fromHost: "esx1",
  downSinceSeconds: 0,
  eligibleAtSeconds: 15,
  readyAtSeconds: null,
  pendingReason: null,
});

describe("state machines refuse moves outside their tables", () => {
  it("a VM's HA restart: down, pending, restarting, cleared; never from booting back to pending", () => {
    expect(nextVmRestart("db1", null, restart("awaitingRestart"))?.state).toBe("awaitingRestart");
    expect(nextVmRestart("db1", restart("awaitingRestart"), restart("pendingRestart"))?.state).toBe("pendingRestart");
    expect(nextVmRestart("db1", restart("pendingRestart"), restart("restarting"))?.state).toBe("restarting");
    expect(nextVmRestart("db1", restart("restarting"), null)).toBeNull();
    expect(() => nextVmRestart("db1", restart("restarting"), restart("pendingRestart"))).toThrow(
      "VirtualMachine db1: HA restart state restarting cannot become pendingRestart",
    );
    expect(() => nextVmRestart("db1", null, restart("restarting"))).toThrow("none cannot become restarting");
  });

  it("a container's HA restart and a move in flight", () => {
    const down = { fromHost: "vz1", downSinceSeconds: 0, pendingReason: null };
    expect(nextContainerRestart("ct1", down, null)).toBeNull();
    expect(nextContainerRestart("ct1", null, down)).toBe(down);
    expect(() => nextContainerMove("ct1", null, null)).toThrow("Container ct1: move none cannot become none");
  });

  it("a host: standby cannot fail, a failed host recovers, a new host starts connected or in maintenance", () => {
    expect(() => nextHostState("esx1", "standby", "failed")).toThrow("Host esx1: state standby cannot become failed");
    expect(nextHostState("esx1", "failed", "enteringMaintenance")).toBe("enteringMaintenance");
    expect(nextHostState("esx1", undefined, "maintenance")).toBe("maintenance");
    expect(() => nextHostState("esx1", undefined, "failed")).toThrow("state new cannot become failed");
  });
});
