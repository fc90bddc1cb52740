/** The per-cluster HA demand the world keeps, and an operation's view of it with its own changes. */
import { describe, expect, it } from "vitest";
import type { StoredVmStatus, VmRecord } from "../../runtime/core/kernel/model";
import { DemandLedger } from "../../runtime/core/ha/demand";
import { initialStatus } from "../../runtime/core/vms/vm-status";
import { VmSpec } from "../../schema/virtual-machine";

function record(
  name: string,
  cpu: number,
  mem: number,
  state: "on" | "off" | "awaiting" = "on",
  cluster = "prod",
  overheadMemoryMb = 0,
): VmRecord {
  const spec = VmSpec.parse({
    cluster,
    vcpus: 1,
    memoryMb: 4096,
    guestOs: "linux",
    cpu: { reservationMhz: cpu },
    memory: { reservationMb: mem },
  });
  const status: StoredVmStatus = {
    ...initialStatus(cluster),
    powerState: state === "on" ? "on" : "off",
    currentHost: state === "on" ? "h1" : null,
    overheadMemoryMb,
    haRestart:
      state === "awaiting"
        ? {
            state: "awaitingRestart",
            fromHost: "h2",
            downSinceSeconds: 0,
            eligibleAtSeconds: 15,
            readyAtSeconds: null,
            pendingReason: null,
          }
        : null,
  };
  return { kind: "VirtualMachine", name, spec, status, generation: 1 };
}

describe("DemandLedger", () => {
  it("counts powered-on VMs and VMs awaiting a restart, not powered-off ones, per cluster", () => {
    const ledger = new DemandLedger();
    for (const vm of [
      record("a", 2000, 1024),
      record("b", 0, 2048, "awaiting"),
      record("c", 5000, 8192, "off"),
      record("d", 9000, 9000, "on", "dev"),
    ])
      ledger.replace(undefined, vm);
    expect(ledger.totals("prod")).toEqual({
      vms: 2,
      cpuMhz: 2000,
      vmsWithoutCpuReservation: 1,
      memoryMb: 3072,
      largestCpuMhz: 2000,
      largestMemoryMb: 2048,
    });
  });

  it("counts the memory overhead of the host a VM runs on, or last ran on while it awaits a restart", () => {
    const ledger = new DemandLedger();
    for (const vm of [record("a", 0, 1024, "on", "prod", 90), record("b", 0, 2048, "awaiting", "prod", 120)]) ledger.replace(undefined, vm);
    expect(ledger.totals("prod")).toMatchObject({ memoryMb: 1024 + 90 + 2048 + 120, largestMemoryMb: 2168 });
  });

  it("finds the next largest reservation when the largest goes, keeping duplicates", () => {
    const ledger = new DemandLedger();
    const [a, b, c] = [record("a", 3000, 1024), record("b", 3000, 1024), record("c", 1000, 4096)];
    for (const vm of [a, b, c]) ledger.replace(undefined, vm);
    ledger.replace(a, undefined);
    expect(ledger.totals("prod").largestCpuMhz).toBe(3000);
    ledger.replace(b, record("b", 1500, 1024));
    expect(ledger.totals("prod")).toMatchObject({ largestCpuMhz: 1500, largestMemoryMb: 4096, vms: 2 });
  });

  it("shows an operation's changes without storing them", () => {
    const ledger = new DemandLedger();
    const [a, b] = [record("a", 3000, 1024), record("b", 2000, 1024)];
    for (const vm of [a, b]) ledger.replace(undefined, vm);
    const shrunk = ledger.totalsWith("prod", [[a, record("a", 1000, 2048)]]);
    expect(shrunk).toMatchObject({ vms: 2, cpuMhz: 3000, largestCpuMhz: 2000, largestMemoryMb: 2048 });
    const added = ledger.totalsWith("prod", [
      [undefined, record("x", 0, 512)],
      [b, undefined],
    ]);
    expect(added).toMatchObject({ vms: 2, vmsWithoutCpuReservation: 1, largestCpuMhz: 3000 });
    expect(ledger.totals("prod")).toMatchObject({ vms: 2, cpuMhz: 5000, largestCpuMhz: 3000 });
  });

  it("an operation that rewrote only entitlements and DRS cooldowns sees the stored totals; a power-off or new overhead among them still counts", () => {
    const ledger = new DemandLedger();
    const vms = [record("a", 3000, 1024), record("b", 2000, 1024, "on", "prod", 64), record("c", 0, 512, "awaiting")];
    for (const vm of vms) ledger.replace(undefined, vm);
    const used = (vm: VmRecord, change: Partial<StoredVmStatus> = {}): VmRecord => ({
      ...vm,
      status: { ...vm.status, cpuEntitlementMhz: 5, memoryEntitlementMb: 99, drsCooldownUntilSeconds: 600, ...change },
    });
    expect(
      ledger.totalsWith(
        "prod",
        vms.map((vm) => [vm, used(vm)]),
      ),
    ).toEqual(ledger.totals("prod"));
    const [a, b, c] = vms;
    const changed = ledger.totalsWith("prod", [
      [a, used(a, { powerState: "off", currentHost: null })],
      [b, used(b, { overheadMemoryMb: 128 })],
      [c, used(c)],
    ]);
    expect(changed).toEqual({
      vms: 2,
      cpuMhz: 2000,
      vmsWithoutCpuReservation: 1,
      memoryMb: 1024 + 128 + 512,
      largestCpuMhz: 2000,
      largestMemoryMb: 1152,
    });
  });
});
