/**
 * HA and DRS together: a recovered host takes load again at once, DPM's standby hosts are capacity HA
 * may call on, and DPM leaves on a host that HA admission control needs (vSphere Resource Management
 * guide, Managing Power Resources: DPM respects HA's failover requirements and brings standby hosts
 * back when HA needs their capacity).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type HostObject, type Runtime, openRuntime } from "../../runtime";
import { FAILURE_DETECTION_SECONDS } from "../../runtime/core/ha/timing";
import { vm } from "../support/fixtures";
import {
  LINK_RATE_MIGRATION,
  busy,
  clusterOf,
  eventsSince,
  landMigrations,
  lastSeq,
  placement,
  skewedCluster,
} from "../support/drs-fixtures";

let rt: Runtime;
beforeEach(async () => {
  rt = await openRuntime({ path: ":memory:" });
});
afterEach(async () => {
  await rt.close();
});

const state = async (host: string) => ((await rt.get("Host", host)) as HostObject).status.state;
const states = async () => ((await rt.list("Host")) as HostObject[]).map((h) => `${h.name}:${h.status.state}`);

describe("a recovered host", () => {
  it("takes its share of the load in a DRS pass run at its recovery", async () => {
    const ha = { enabled: true, admissionControl: { policy: "disabled" } };
    await skewedCluster(rt, { clusterSpec: { ha, drs: { intervalSeconds: 3600 } }, hosts: 3, vms: {} });
    for (const [name, host] of [
      ["a", "esx1"],
      ["b", "esx1"],
      ["c", "esx2"],
      ["d", "esx3"],
    ]) {
      await rt.apply(vm(name, { ...busy(6000), host }));
      await rt.apply(vm(name, busy(6000)));
    }
    await rt.failHost("esx1");
    await rt.advance(FAILURE_DETECTION_SECONDS + 60);
    expect(Object.values(await placement(rt))).not.toContain("esx1");
    const seq = await lastSeq(rt);
    await rt.recoverHost("esx1");
    // The periodic pass is an hour away; the pass at recovery moves VMs back at once.
    const events = await eventsSince(rt, seq);
    const recovered = events.find((e) => e.reason === "HostRecovered")!;
    const moves = events.filter((e) => e.reason === "DrsMigrated");
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.every((e) => e.timeSeconds === recovered.timeSeconds && e.message.includes(" to esx1 "))).toBe(true);
    await landMigrations(rt);
    expect(Object.values(await placement(rt))).toContain("esx1");
    const drs = (await clusterOf(rt)).status.drs;
    expect(drs.imbalance).toBeLessThanOrEqual(drs.targetImbalance);
  });
});

describe("standby hosts and HA", () => {
  // Each VM reserves 24 GB of a 64 GB host: 37.5% alone (below DPM's low mark of 45%), 75% with a
  // second one (below its high mark of 81%), and no room for a third.
  const reserved = { ...busy(500), memory: { reservationMb: 24576 } };

  async function spreadOverThree(ha: Record<string, unknown>): Promise<void> {
    await skewedCluster(rt, { clusterSpec: { ha, drs: { dpm: { enabled: true } }, migration: LINK_RATE_MIGRATION }, hosts: 3, vms: {} });
    for (const [name, host] of [
      ["a", "esx1"],
      ["b", "esx2"],
      ["c", "esx3"],
    ]) {
      await rt.apply(vm(name, { ...reserved, host }));
      await rt.apply(vm(name, reserved));
    }
  }

  it("are powered back on by HA when a restart finds no room on the connected hosts", async () => {
    await spreadOverThree({ enabled: true, admissionControl: { policy: "disabled" } });
    await rt.advance(300);
    await landMigrations(rt);
    const standby = (await states()).filter((s) => s.endsWith(":standby")).map((s) => s.split(":")[0]);
    expect(standby).toHaveLength(1);
    const where = await placement(rt);
    const full = ["esx1", "esx2", "esx3"].find((h) => Object.values(where).filter((w) => w === h).length === 2)!;
    const seq = await lastSeq(rt);
    await rt.failHost(full);
    await rt.advance(FAILURE_DETECTION_SECONDS);
    const events = await eventsSince(rt, seq);
    expect(events.find((e) => e.reason === "StandbyExited")).toMatchObject({
      name: standby[0],
      message: expect.stringMatching(/^HA needs its capacity to restart [abc]: powered on from standby$/),
    });
    expect(events.filter((e) => e.reason === "HaRestarted")).toHaveLength(2);
    expect(events.some((e) => e.reason === "HaRestartPending")).toBe(false);
    expect(await state(standby[0])).toBe("connected");
    expect(Object.values(await placement(rt))).toContain(standby[0]);
  });

  it("are not made of hosts whose capacity HA admission control holds for failover", async () => {
    // The resource percentage policy keeps one host of three free (33%): without a host the cluster would keep less.
    await spreadOverThree({ enabled: true });
    await rt.advance(900);
    expect(await states()).toEqual(["esx1:connected", "esx2:connected", "esx3:connected"]);
    expect((await rt.events()).some((e) => e.reason === "EnteringStandby")).toBe(false);
  });
});
