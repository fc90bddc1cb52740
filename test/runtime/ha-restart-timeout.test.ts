/**
 * Per-VM `haRestartTimeoutSeconds`: vSphere 6.5's "VM restart priority condition timeout"
 * (ClusterDasVmSettings.restartPriorityTimeout, vSphere API 6.5; terraform-provider-vsphere
 * r/compute_cluster, ha_vm_restart_timeout, default 600 s): when a VM of a higher priority is not up
 * within this many seconds of its restart, HA goes on with the next priority anyway.
 */
import { describe, expect, it } from "vitest";
import { type Runtime, type VirtualMachineObject, openRuntime } from "../../runtime";
import { RESTART_PRIORITY_TIMEOUT_SECONDS, bootSeconds } from "../../runtime/core/ha/timing";
import { VmSpec } from "../../schema/virtual-machine";
import { cluster, esxHost, vm } from "../support/fixtures";

const boot = (spec: Record<string, unknown>) => bootSeconds(VmSpec.parse({ ...vm("x", spec).spec, cluster: "prod" }));

async function failover(top: Record<string, unknown>) {
  const rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", { ha: { enabled: true } }));
  for (const h of ["esx1", "esx2", "esx3"]) await rt.apply(esxHost(h));
  const on = async (name: string, spec: Record<string, unknown>) => {
    await rt.apply(vm(name, { ...spec, host: "esx2" }));
    await rt.apply(vm(name, spec));
  };
  await on("db", { haRestartPriority: "highest", guestOs: "windows", memoryMb: 16384, ...top });
  await on("app", { haRestartPriority: "medium" });
  await rt.failHost("esx2");
  await rt.advance(15); // the failure is declared: db restarts
  return rt;
}

async function restartedAt(rt: Runtime, name: string): Promise<number | undefined> {
  return (await rt.events()).find((e) => e.name === name && e.reason === "HaRestarted")?.timeSeconds;
}

describe("HA restart priority timeout", () => {
  const dbBoot = boot({ guestOs: "windows", memoryMb: 16384 });

  it("starts the next priority when the higher one's VM is not up within its haRestartTimeoutSeconds", async () => {
    expect(dbBoot).toBeGreaterThan(20);
    const rt = await failover({ haRestartTimeoutSeconds: 20 });
    const db = (await rt.get("VirtualMachine", "db")) as VirtualMachineObject;
    expect(db.status.haRestart).toMatchObject({ state: "restarting", readyAtSeconds: 15 + dbBoot, blocksUntilSeconds: 35 });
    await rt.advance(19);
    expect(await restartedAt(rt, "app")).toBeUndefined();
    await rt.advance(1);
    expect(await restartedAt(rt, "app")).toBe(35);
    const timeout = (await rt.events()).find((e) => e.reason === "HaRestartTimeout")!;
    expect(timeout).toMatchObject({ kind: "Cluster", name: "prod", timeSeconds: 35 });
    expect(timeout.message).toContain(`db (up at ${15 + dbBoot} s) not up within its restart priority timeout`);
    // db still comes up and the failover completes once both guests are.
    await rt.advance(600);
    const reasons = (await rt.events()).map((e) => e.reason);
    expect(reasons.filter((r) => r === "HaTierReady")).toHaveLength(2);
    expect(reasons).toContain("HaFailoverCompleted");
    expect(((await rt.get("VirtualMachine", "db")) as VirtualMachineObject).status.haRestart).toBeNull();
    await rt.close();
  });

  it("waits for the guest by default: 600 s is longer than any modelled boot", async () => {
    expect(RESTART_PRIORITY_TIMEOUT_SECONDS).toBe(600);
    const rt = await failover({});
    await rt.advance(dbBoot);
    expect(await restartedAt(rt, "app")).toBe(15 + dbBoot);
    expect((await rt.events()).some((e) => e.reason === "HaRestartTimeout")).toBe(false);
    await rt.close();
  });

  it("refuses a negative or fractional timeout, naming the field, and changes nothing", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(cluster("prod"));
    for (const bad of [-1, 1.5]) {
      await expect(rt.apply(vm("db", { haRestartTimeoutSeconds: bad }))).rejects.toMatchObject({ code: "InvalidSpec" });
      await expect(rt.apply(vm("db", { haRestartTimeoutSeconds: bad }))).rejects.toThrow(/haRestartTimeoutSeconds/);
    }
    expect(await rt.list("VirtualMachine")).toEqual([]);
    await rt.close();
  });
});
