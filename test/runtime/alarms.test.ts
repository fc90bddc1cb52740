/**
 * Alarms on the simulated clock, as vCenter's alarm definitions behave: a trigger that must hold
 * for a time before the alarm turns red, and a reset when the condition no longer holds.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AlarmObject, type Runtime, openRuntime } from "../../runtime";
import { cluster, esxHost, vm } from "../support/fixtures";

let rt: Runtime;
beforeEach(async () => {
  rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", { ha: { enabled: true } }));
  await rt.apply(esxHost("esx1"));
  await rt.apply(esxHost("esx2"));
});
afterEach(() => rt.close());

const alarm = (name: string, spec: object) => rt.apply({ kind: "Alarm", name, spec });
const get = async (name: string) => (await rt.get("Alarm", name)) as AlarmObject;
const reasons = async (name: string) =>
  (await rt.events()).filter((e) => e.kind === "Alarm" && e.name === name).map((e) => `${e.timeSeconds} ${e.reason}`);

describe("alarms", () => {
  it("raises after the condition has held forSeconds, even with nothing else happening, and clears when it stops", async () => {
    await alarm("ha-capacity", {
      target: { kind: "Cluster", name: "prod" },
      metric: "haFailoverCapacity",
      threshold: 2,
      forSeconds: 60,
      severity: "critical",
    });
    // Two empty hosts: HA could lose both.
    expect((await get("ha-capacity")).status).toMatchObject({ state: "normal", value: 2 });
    await rt.failHost("esx2");
    // One host failed: one more failure is all it can take, below the threshold from now on.
    expect((await get("ha-capacity")).status).toMatchObject({ state: "pending", value: 1, sinceSeconds: 0 });
    await rt.advance(59);
    expect((await get("ha-capacity")).status.state).toBe("pending");
    await rt.advance(1);
    expect((await get("ha-capacity")).status).toMatchObject({ state: "raised", sinceSeconds: 60, raisedCount: 1 });
    await rt.recoverHost("esx2");
    expect((await get("ha-capacity")).status.state).toBe("normal");
    expect(await reasons("ha-capacity")).toEqual(["0 Created", "60 AlarmRaised", "60 AlarmCleared"]);
  });

  it("does not raise when the condition stops before forSeconds", async () => {
    await alarm("ha", { target: { kind: "Cluster", name: "prod" }, metric: "haFailoverCapacity", threshold: 2, forSeconds: 300 });
    await rt.failHost("esx2");
    await rt.advance(100);
    await rt.recoverHost("esx2");
    await rt.advance(600);
    expect((await get("ha")).status).toMatchObject({ state: "normal", raisedCount: 0 });
    expect(await reasons("ha")).toEqual(["0 Created"]);
  });

  it("watches host CPU used percent as DRS passes sample the workloads", async () => {
    // 4 vCPUs of 2600 MHz demanding 10000 MHz on a 41600 MHz host: 24% and a bit of overhead.
    await rt.apply(vm("busy", { host: "esx1", vcpus: 4, workload: { cpuDemandMhz: 10000 } }));
    await alarm("hot", { target: { kind: "Host", name: "esx1" }, metric: "hostCpuUsedPercent", threshold: 20 });
    await rt.advance(300);
    const status = (await get("hot")).status;
    expect(status.value).toBeGreaterThan(20);
    expect(status.state).toBe("raised");
  });

  it("refuses a metric on the wrong kind of target and a missing target, naming the field", async () => {
    await expect(
      alarm("bad", { target: { kind: "Host", name: "esx1" }, metric: "clusterImbalance", threshold: 0.2 }),
    ).rejects.toMatchObject({ code: "InvalidSpec", field: "target.kind" });
    await expect(
      alarm("bad", { target: { kind: "Host", name: "nope" }, metric: "hostCpuUsedPercent", threshold: 80 }),
    ).rejects.toMatchObject({ code: "NotFound", field: "target.name" });
    expect(await rt.get("Alarm", "bad")).toBeUndefined();
  });
});
