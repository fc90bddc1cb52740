/**
 * DPM (vSphere Resource Management guide, "Managing Power Resources"): hosts go to standby when
 * utilization is low and come back when demand rises; defaults from vSphere's target utilization of
 * 63% +- 18% (DemandCapacityRatioTarget / DemandCapacityRatioToleranceHost), i.e. 45% and 81%.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { HostObject } from "../../runtime";
import { vm } from "../support/fixtures";
import { busy, clusterOf, eventsSince, hostOf, landMigrations, lastSeq, placement, skewedCluster } from "../support/drs-fixtures";

let rt: Runtime;
beforeEach(async () => {
  rt = await openRuntime({ path: ":memory:" });
});
afterEach(async () => {
  await rt.close();
});

const light = { a: busy(2000), b: busy(2000), c: busy(2000) };
const states = async () => ((await rt.list("Host")) as HostObject[]).map((h) => `${h.name}:${h.status.state}`);

describe("DPM", () => {
  it("is off by default", async () => {
    await skewedCluster(rt, { hosts: 3, vms: light });
    await rt.advance(3600);
    expect(await states()).toEqual(["esx1:connected", "esx2:connected", "esx3:connected"]);
  });

  it("puts one lightly used host in standby per pass, down to minHostsOn, moving its VMs first", async () => {
    await skewedCluster(rt, { clusterSpec: { drs: { dpm: { enabled: true, minHostsOn: 2 } } }, hosts: 3, vms: {} });
    for (const [name, host] of [
      ["a", "esx1"],
      ["b", "esx2"],
      ["c", "esx3"],
    ]) {
      await rt.apply(vm(name, { ...busy(2000), host }));
      await rt.apply(vm(name, busy(2000)));
    }
    const seq = await lastSeq(rt);
    await rt.advance(300);
    // Its VM is still migrating away: the host is on its way to standby, and takes no VM meanwhile.
    expect((await states()).filter((s) => s.endsWith("tandby"))).toEqual(["esx1:enteringStandby"]);
    await landMigrations(rt);
    expect((await states()).filter((s) => s.endsWith("tandby"))).toEqual(["esx1:standby"]);
    await rt.advance(3600);
    const after = await states();
    expect(after.filter((s) => s.endsWith("standby"))).toHaveLength(1);
    const standby = after.find((s) => s.endsWith("standby"))!.split(":")[0];
    expect(Object.values(await placement(rt))).not.toContain(standby);
    const entering = (await eventsSince(rt, seq)).find((e) => e.reason === "EnteringStandby")!;
    expect(entering.message).toMatch(
      /^DPM: every connected host is below the low mark 45% \(busiest \d+%\); esx1 at \d+% goes to standby once its 1 migrations land$/,
    );
    const entered = (await eventsSince(rt, seq)).find((e) => e.reason === "StandbyEntered")!;
    expect(entered).toMatchObject({ name: "esx1", message: "powered down to standby: its last VM has left" });
    expect(entered.timeSeconds).toBeGreaterThan(entering.timeSeconds);
    const evacuated = (await eventsSince(rt, seq)).find((e) => e.reason === "DrsMigrated")!;
    expect(evacuated).toMatchObject({
      name: "a",
      message: expect.stringMatching(
        /^moved from esx1 to esx[23] \(priority 1\): DPM: evacuating esx1 before standby; live migration esx1 -> esx[23]: .* expected$/,
      ),
    });
    const c = await clusterOf(rt);
    expect(c.status.cpuCapacityMhz).toBe(2 * 41600);
  });

  it("powers a standby host back on when a host rises above the high mark, and balances onto it", async () => {
    await skewedCluster(rt, { clusterSpec: { drs: { dpm: { enabled: true } } }, hosts: 2, vms: light });
    await rt.advance(600);
    expect(await states()).toContain("esx2:standby");
    for (const name of Object.keys(light)) await rt.apply(vm(name, busy(14000)));
    const seq = await lastSeq(rt);
    await rt.advance(300);
    const events = await eventsSince(rt, seq);
    expect(events.find((e) => e.reason === "StandbyExited")).toMatchObject({
      name: "esx2",
      message: expect.stringMatching(/^DPM: esx1 \d+% above the high mark 81%: powered on from standby$/),
    });
    expect(events.some((e) => e.reason === "DrsMigrated" && e.message.includes("to esx2"))).toBe(true);
    expect((await hostOf(rt, "esx2")).status.state).toBe("connected");
  });

  it("wakes every standby host when DPM is turned off", async () => {
    await skewedCluster(rt, { clusterSpec: { drs: { dpm: { enabled: true } } }, hosts: 3, vms: light });
    await rt.advance(1200);
    expect((await states()).filter((s) => s.endsWith("standby")).length).toBeGreaterThan(0);
    await rt.apply({ kind: "Cluster", name: "prod", spec: { drs: { dpm: { enabled: false } } } });
    await rt.advance(300);
    expect(await states()).toEqual(["esx1:connected", "esx2:connected", "esx3:connected"]);
  });

  it("refuses a low mark at or above the high mark", async () => {
    await expect(
      rt.apply({ kind: "Cluster", name: "prod", spec: { drs: { dpm: { lowUtilizationPercent: 80, highUtilizationPercent: 70 } } } }),
    ).rejects.toThrow(/field drs.dpm.lowUtilizationPercent: lowUtilizationPercent must be below highUtilizationPercent/);
  });
});
