/**
 * HA admission control counts containers beside VMs. The arithmetic is the vSphere Availability
 * guide's ("vSphere HA Admission Control": slot size from the largest reservations, slots per host,
 * current failover capacity; CPU/memory failover percentages = (capacity - reservations) / capacity);
 * a container holds its memory limit plus its kernel-sharing overhead as a reservation on its host
 * and reserves no CPU, so it counts at vmCpuMinMhz as a VM without a CPU reservation does.
 */
import { describe, expect, it } from "vitest";
import { type ClusterObject, type ContainerObject, type Runtime, openRuntime } from "../../runtime";
import { containerOverheadMemoryMb } from "../../runtime/core/containers/container-overhead";
import { cluster, esxHost, vm } from "../support/fixtures";

const CPU = { sockets: 1, coresPerSocket: 4, mhz: 2000, vendor: "intel", features: ["vmx", "ept", "lm"] };
const vzHost = (name: string) => esxHost(name, "prod", { hypervisor: "openvz", cpu: CPU, memoryMb: 8192 });
const ct = (name: string, memoryMb = 1024) => ({
  kind: "Container" as const,
  name,
  spec: { cluster: "prod", template: "centos-5-x86_64", memoryMb, diskGb: 2 },
});
const ha = async (rt: Runtime) => ((await rt.get("Cluster", "prod")) as ClusterObject).status.ha;
const reserved = (memoryMb: number) => memoryMb + containerOverheadMemoryMb(memoryMb);

describe("HA admission control with containers", () => {
  it("resourcePercentage: containers' memory limits count in the failover percentage, and a start that breaks it is refused", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(
      cluster("prod", { ha: { enabled: true, admissionControl: { policy: "resourcePercentage", cpuPercent: 0, memoryPercent: 50 } } }),
    );
    for (const h of ["vz1", "vz2"]) await rt.apply(vzHost(h));
    const capacity = (await ha(rt)).memoryFailoverPercent;
    expect(capacity).toBe(100);
    for (const name of ["c1", "c2", "c3"]) await rt.apply(ct(name, 2048));
    const hosts = await Promise.all(
      ["vz1", "vz2"].map(async (h) => ((await rt.get("Host", h)) as { status: { memoryCapacityMb: number } }).status),
    );
    const total = hosts.reduce((s, h) => s + h.memoryCapacityMb, 0);
    let figures = await ha(rt);
    expect(figures.memoryFailoverPercent).toBe(Math.trunc(((total - 3 * reserved(2048)) * 100) / total));
    expect(figures.usedSlots).toBe(3);
    // A fourth 2 GB container would leave (total - 4 x 2089) / total < 50% free.
    expect(Math.trunc(((total - 4 * reserved(2048)) * 100) / total)).toBeLessThan(50);
    const before = await rt.list("Container");
    await expect(rt.apply(ct("c4", 2048))).rejects.toMatchObject({
      code: "AdmissionControl",
      message: expect.stringMatching(
        /^AdmissionControl: Container c4: field state: HA admission control \(resource percentage policy\) of cluster prod refuses starting it/,
      ),
    });
    const err = await rt.apply(ct("c4", 2048)).catch((e) => e);
    // The arithmetic is that of the state the start would commit: four containers.
    expect(err.details.join("\n")).toMatch(/0 powered-on VMs and 4 containers/);
    expect(await rt.list("Container")).toEqual(before);
    figures = await ha(rt);
    expect(figures.usedSlots).toBe(3);
    // Raising a running container's memory limit is checked the same way.
    await expect(rt.apply(ct("c3", 4096))).rejects.toMatchObject({ code: "AdmissionControl" });
    expect(((await rt.get("Container", "c3")) as ContainerObject).spec.memoryMb).toBe(2048);
    await rt.close();
  });

  it("slotPolicy: the slot is the largest reservation of VMs and containers, and each container takes a slot", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl: { policy: "slotPolicy", hostFailuresToTolerate: 0 } } }));
    await rt.apply(esxHost("esx1", "prod", { cpu: CPU }));
    await rt.apply(vzHost("vz1"));
    await rt.apply(vm("small", { memory: { reservationMb: 512 } }));
    const vmSlot = (await ha(rt)).slotMemoryMb;
    await rt.apply(ct("big", 4096));
    const figures = await ha(rt);
    expect(vmSlot).toBeLessThan(reserved(4096));
    expect(figures.slotMemoryMb).toBe(reserved(4096));
    expect(figures.slotCpuMhz).toBe(32); // vmCpuMinMhz: neither reserves CPU
    expect(figures.usedSlots).toBe(2);
    await rt.close();
  });

  it("keeps counting a container HA owes a restart, and stops counting one stopped or deleted", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl: { policy: "slotPolicy", hostFailuresToTolerate: 0 } } }));
    await rt.apply(vzHost("vz1"));
    for (const name of ["c1", "c2", "c3"]) await rt.apply(ct(name));
    expect((await ha(rt)).usedSlots).toBe(3);
    // The only host crashes: nowhere to restart, so all three wait, and HA still holds room for them.
    await rt.failHost("vz1");
    await rt.advance(60);
    expect(((await rt.get("Container", "c1")) as ContainerObject).status.haRestart).not.toBeNull();
    expect((await ha(rt)).usedSlots).toBe(3);
    await rt.delete("Container", "c3");
    expect((await ha(rt)).usedSlots).toBe(2);
    await rt.apply({ ...ct("c2"), spec: { ...ct("c2").spec, state: "stopped" } });
    expect((await ha(rt)).usedSlots).toBe(1);
    await rt.close();
  });

  it("failoverHosts: a container never starts on a failover host, and counts in the figures", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(cluster("prod", { ha: { enabled: true, admissionControl: { policy: "failoverHosts", failoverHosts: ["vz2"] } } }));
    for (const h of ["vz1", "vz2"]) await rt.apply(vzHost(h));
    for (const name of ["c1", "c2"]) await rt.apply(ct(name));
    for (const name of ["c1", "c2"]) expect(((await rt.get("Container", name)) as ContainerObject).status.currentHost).toBe("vz1");
    expect((await ha(rt)).usedSlots).toBe(2);
    await rt.close();
  });
});
