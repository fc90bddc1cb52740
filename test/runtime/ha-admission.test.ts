/**
 * HA admission control against the vSphere Availability guide's worked examples, and the refusals at
 * each policy's boundary.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { type ClusterObject, type Runtime, openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";

let rt: Runtime;

/** A host of `ghz` GHz (3 GHz cores) and `gb` GB, as the guide's H1, H2 and H3. */
function guideHost(name: string, ghz: number, gb: number) {
  return esxHost(name, "prod", {
    cpu: { sockets: 1, coresPerSocket: ghz / 3, mhz: 3000, vendor: "intel", features: ["vmx", "ept", "lm"] },
    memoryMb: gb * 1024,
  });
}

/** A VM that "needs" `ghz` GHz and `gb` GB: its reservations (no memory overhead, as the example assumes). */
function guideVm(name: string, ghz: number, gb: number, extra: Record<string, unknown> = {}) {
  return vm(name, { vcpus: 1, memoryMb: 4096, cpu: { reservationMhz: ghz * 1000 }, memory: { reservationMb: gb * 1024 }, ...extra });
}

/**
 * The guide's example cluster (vSphere Availability, "Example: Admission Control Using Slot Policy"
 * and "Example: Admission Control Using Percentage of Cluster Resources Reserved Policy", vSphere 6.x):
 * H1 9 GHz / 9 GB, H2 9 GHz / 6 GB, H3 6 GHz / 6 GB; VM1 and VM2 need 2 GHz / 1 GB, VM3 1 GHz / 2 GB,
 * VM4 and VM5 1 GHz / 1 GB.
 */
async function guideCluster(admissionControl: Record<string, unknown>): Promise<void> {
  rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl } }));
  for (const [name, ghz, gb] of [
    ["H1", 9, 9],
    ["H2", 9, 6],
    ["H3", 6, 6],
  ] as const)
    await rt.apply(guideHost(name, ghz, gb));
  const vms = [
    ["VM1", 2, 1, "H1"],
    ["VM2", 2, 1, "H1"],
    ["VM3", 1, 2, "H2"],
    ["VM4", 1, 1, "H3"],
    ["VM5", 1, 1, "H3"],
  ] as const;
  for (const [name, ghz, gb, host] of vms) await rt.apply(guideVm(name, ghz, gb, { host }));
}

const ha = async () => ((await rt.get("Cluster", "prod")) as ClusterObject).status.ha;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error & { code: string }) => e,
  );

describe("slot policy (host failures cluster tolerates)", () => {
  beforeEach(() => guideCluster({ policy: "slotPolicy", hostFailuresToTolerate: 1 }));

  it("reproduces the guide's example: slot size, slots per host, failover capacity, available slots", async () => {
    // The guide: "the slot size is 2GHz CPU and 2GB memory"; "H1 can support four slots. H2 can
    // support three slots ... and H3 can also support three slots"; "the Current Failover Capacity is
    // one"; "The cluster has one available slot (the six slots on H2 and H3 minus the five used slots)."
    expect(await ha()).toMatchObject({
      slotCpuMhz: 2000,
      slotMemoryMb: 2048,
      slotsPerHost: { H1: 4, H2: 3, H3: 3 },
      totalSlots: 10,
      usedSlots: 5,
      availableSlots: 1,
      currentFailoverCapacity: 1,
    });
  });

  it("admits a power-on into the last available slot and refuses the next with the arithmetic", async () => {
    await rt.apply(guideVm("VM6", 1, 1));
    expect(await ha()).toMatchObject({ usedSlots: 6, availableSlots: 0, currentFailoverCapacity: 1 });
    const e = await refusal(rt.apply(guideVm("VM7", 1, 1)));
    expect(e?.code).toBe("AdmissionControl");
    expect(e?.message).toContain(
      "AdmissionControl: VirtualMachine VM7: field powerState: HA admission control (slot policy) of cluster prod refuses powering it on",
    );
    expect(e?.message).toContain("slot size 2000 MHz x 2048 MB");
    expect(e?.message).toContain("slots per host: H1 4, H2 3, H3 3; 10 in all, 7 used by powered-on VMs");
    expect(e?.message).toContain(
      "losing the 1 host(s) with most slots (H1) leaves 6 slots for 7 VMs: current failover capacity 0 host failure(s), configured 1",
    );
    expect(await rt.get("VirtualMachine", "VM7")).toBeUndefined();
  });

  it("refuses a reservation that grows the slot size beyond what one failure leaves", async () => {
    // A 3 GHz slot: H1 min(9/3, 9/2) = 3, H2 min(3, 3) = 3, H3 min(2, 3) = 2; without H1, 5 slots for 5 VMs.
    await rt.apply(guideVm("VM5", 3, 1, { host: "H3" }));
    expect(await ha()).toMatchObject({ slotCpuMhz: 3000, slotsPerHost: { H1: 3, H2: 3, H3: 2 }, currentFailoverCapacity: 1 });
    // A 4 GHz slot: H1 2, H2 2, H3 1; without H1, 3 slots for 5 VMs. (VM3's host H2 has room for
    // the 4 GHz and the CPU overhead the hypervisor reserves beside it: only the policy refuses.)
    const e = await refusal(rt.apply(guideVm("VM3", 4, 2, { host: "H2" })));
    expect(e?.code).toBe("AdmissionControl");
    expect(e?.message).toContain("field cpu.reservationMhz");
    expect(e?.message).toContain("slots per host: H1 2, H2 2, H3 1; 5 in all, 5 used by powered-on VMs");
    // The refused change left VM3 as it was.
    expect(((await rt.get("VirtualMachine", "VM3"))!.spec as { cpu: { reservationMhz: number } }).cpu.reservationMhz).toBe(1000);
  });

  it("counts vmCpuMinMhz for VMs without a CPU reservation, and ignores hosts that are not usable", async () => {
    await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl: { policy: "slotPolicy", vmCpuMinMhz: 100 } } }));
    for (const name of ["VM1", "VM2", "VM3", "VM4", "VM5"]) await rt.apply(guideVm(name, 0, 1, { host: name === "VM3" ? "H2" : "H3" }));
    expect(await ha()).toMatchObject({ slotCpuMhz: 100, slotMemoryMb: 1024, slotsPerHost: { H1: 9, H2: 6, H3: 6 } });
    await rt.delete("VirtualMachine", "VM3");
    const h2 = guideHost("H2", 9, 6);
    await rt.apply({ ...h2, spec: { ...h2.spec, maintenance: true } });
    expect((await ha()).slotsPerHost).toEqual({ H1: 9, H3: 6 });
  });

  it("does not enforce anything when HA or its admission control is disabled", async () => {
    await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl: { policy: "disabled" } } }));
    for (const name of ["VM6", "VM7", "VM8"]) await rt.apply(guideVm(name, 1, 1));
    expect(await ha()).toMatchObject({ enforced: false, usedSlots: 8, currentFailoverCapacity: 0 });
    await rt.apply(cluster("prod", { ha: { enabled: false, admissionControl: { policy: "slotPolicy" } } }));
    await rt.apply(guideVm("VM9", 1, 1));
    expect((await ha()).usedSlots).toBe(9);
  });
});

describe("resource percentage policy", () => {
  beforeEach(() => guideCluster({ policy: "resourcePercentage", cpuPercent: 25, memoryPercent: 25 }));

  it("reproduces the guide's example: 70% CPU and 71% memory failover capacity", async () => {
    // The guide: "the Current CPU Failover Capacity is 70% ((24GHz - 7GHz)/24GHz). Similarly, the
    // Current Memory Failover Capacity is 71% ((21GB-6GB)/21GB)." (70.8% and 71.4%, printed truncated.)
    expect(await ha()).toMatchObject({
      cpuFailoverPercent: 70,
      memoryFailoverPercent: 71,
      configuredCpuFailoverPercent: 25,
      configuredMemoryFailoverPercent: 25,
    });
  });

  it("admits a power-on that leaves exactly the configured 25% and refuses one more MHz", async () => {
    // 24000 MHz in all: 25% free means at most 18000 MHz reserved; 7000 are. The hosts also reserve
    // the CPU overhead of delivering each reservation (not counted by the policy), so each big VM
    // goes where that fits too.
    await rt.apply(guideVm("big1", 4, 0, { host: "H1" }));
    await rt.apply(vm("big2", { vcpus: 1, host: "H2", cpu: { reservationMhz: 7000 } }));
    expect((await ha()).cpuFailoverPercent).toBe(25);
    const e = await refusal(rt.apply(vm("one-more", { vcpus: 1, cpu: { reservationMhz: 1 } })));
    expect(e?.code).toBe("AdmissionControl");
    expect(e?.message).toContain("CPU: (24000 MHz - 18001 MHz reserved) / 24000 MHz = 24% free; the policy keeps 25% free (short)");
    // Without a reservation a VM still counts vmCpuMinMhz (32 MHz): refused as well.
    expect((await refusal(rt.apply(vm("no-reservation", { vcpus: 1 }))))?.code).toBe("AdmissionControl");
    // Powering a VM off always passes, and makes room again.
    await rt.apply(guideVm("VM5", 1, 1, { host: "H3", powerState: "off" }));
    await rt.apply(vm("one-more", { vcpus: 1, cpu: { reservationMhz: 1 } }));
  });

  it("computes the percentages from hostFailuresToTolerate when none is configured", async () => {
    await rt.apply(
      cluster("prod", { ha: { enabled: true, admissionControl: { policy: "resourcePercentage", hostFailuresToTolerate: 1 } } }),
    );
    // The largest host holds 9 of 24 GHz (37.5%, rounded up to 38) and 9 of 21 GB (42.9%, 43).
    expect(await ha()).toMatchObject({ configuredCpuFailoverPercent: 38, configuredMemoryFailoverPercent: 43 });
    await rt.apply(
      cluster("prod", { ha: { enabled: true, admissionControl: { policy: "resourcePercentage", hostFailuresToTolerate: 3 } } }),
    );
    expect(await ha()).toMatchObject({ configuredCpuFailoverPercent: 100, configuredMemoryFailoverPercent: 100 });
    expect((await refusal(rt.apply(guideVm("VM6", 1, 1))))?.message).toContain(
      "memory: (21504 MB - 7168 MB reserved) / 21504 MB = 66% free; the policy keeps 100% free (short)",
    );
  });
});

describe("failover hosts policy", () => {
  beforeEach(async () => {
    await guideCluster({ policy: "disabled" });
    await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl: { policy: "failoverHosts", failoverHosts: ["H1"] } } }));
  });

  it("keeps power-ons off the failover hosts and says why when nothing else fits", async () => {
    await rt.apply(guideVm("VM6", 2, 1));
    expect((await rt.get("VirtualMachine", "VM6"))!.status).toMatchObject({ currentHost: expect.stringMatching(/^H[23]$/) });
    expect((await rt.get("Host", "H1"))!.status).toMatchObject({ haFailoverHost: true });
    // A VM already running on H1 is not moved by a reconfiguration: it may stay there.
    await rt.apply(guideVm("VM1", 2, 2, { host: "H1" }));
    expect((await rt.get("VirtualMachine", "VM1"))!.status).toMatchObject({ currentHost: "H1" });
    const pinned = await refusal(rt.apply(guideVm("VM9", 1, 1, { host: "H1" })));
    expect(pinned?.code).toBe("AdmissionControl");
    expect(pinned?.message).toContain("H1: is an HA failover host: it takes only VMs that HA restarts");
  });
});

describe("admission control settings", () => {
  beforeEach(async () => {
    await guideCluster({ policy: "slotPolicy" });
  });

  it("refuses a setting the chosen policy would ignore, naming the field, and changes nothing", async () => {
    const before = await rt.get("Cluster", "prod");
    const cases: [Record<string, unknown>, string][] = [
      [
        { policy: "slotPolicy", cpuPercent: 25 },
        "field ha.admissionControl.cpuPercent: applies only to policy resourcePercentage (the policy is slotPolicy)",
      ],
      [
        { policy: "failoverHosts", memoryPercent: 25, failoverHosts: ["H1"] },
        "field ha.admissionControl.memoryPercent: applies only to policy resourcePercentage (the policy is failoverHosts)",
      ],
      [
        { policy: "resourcePercentage", failoverHosts: ["H1"] },
        "field ha.admissionControl.failoverHosts: applies only to policy failoverHosts (the policy is resourcePercentage)",
      ],
      [{ policy: "failoverHosts", failoverHosts: ["H1", "H2", "H1"] }, "field ha.admissionControl.failoverHosts: names host H1 twice"],
    ];
    for (const [admissionControl, message] of cases) {
      const error = await refusal(rt.apply(cluster("prod", { ha: { enabled: true, admissionControl } })));
      expect(error?.code).toBe("InvalidSpec");
      expect(error?.message).toContain(`InvalidSpec: Cluster prod: ${message}`);
    }
    expect(await rt.get("Cluster", "prod")).toEqual(before);
  });
});
