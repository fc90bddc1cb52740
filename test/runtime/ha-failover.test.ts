/**
 * Host failures on the simulated clock: detection, restarts by priority tier, pending restarts,
 * isolation responses, storage visibility, failover hosts and recovery.
 * Timings follow the vSphere Availability guide ("Host Failure Types", "Host Isolation"): a failure is
 * declared after 15 s without heartbeats; an isolated host declares itself isolated after 30 s (5 s
 * when it is the primary) and responds 30 s later.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { type HostObject, type Runtime, type RuntimeEvent, type VirtualMachineObject, openRuntime } from "../../runtime";
import { bootSeconds } from "../../runtime/core/ha/timing";
import { VmSpec } from "../../schema/virtual-machine";
import { cluster, datastore, esxHost, pool, vm } from "../support/fixtures";

let rt: Runtime;
let mark = 0;

/** Creates a VM running on `host` without pinning it there (pinned first, then released; it stays). */
async function vmOn(name: string, host: string, spec: Record<string, unknown> = {}): Promise<void> {
  await rt.apply(vm(name, { ...spec, host }));
  await rt.apply(vm(name, spec));
}

async function setup(
  ha: Record<string, unknown>,
  hosts: [string, Record<string, unknown>?][] = [["esx1"], ["esx2"], ["esx3"]],
): Promise<void> {
  rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", { ha: { enabled: true, ...ha } }));
  for (const [name, overrides] of hosts) await rt.apply(esxHost(name, "prod", overrides));
}

/** Events since the last call, as "time name reason". */
async function newEvents(): Promise<string[]> {
  const events = await rt.events({ sinceSeq: mark });
  mark = events.at(-1)?.seq ?? mark;
  return events.map((e) => `${e.timeSeconds} ${e.name} ${e.reason}`);
}

async function eventsOf(reason: string): Promise<RuntimeEvent[]> {
  return (await rt.events()).filter((e) => e.reason === reason);
}

const vmStatus = async (name: string) => ((await rt.get("VirtualMachine", name)) as VirtualMachineObject).status;
const hostState = async (name: string) => ((await rt.get("Host", name)) as HostObject).status.state;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error & { code: string }) => e,
  );
const boot = (spec: Record<string, unknown>) => bootSeconds(VmSpec.parse(vm("x", spec).spec));

beforeEach(() => {
  mark = 0;
});

describe("a crashed host", () => {
  beforeEach(async () => {
    await setup({ restartPriority: "medium" });
    await vmOn("top", "esx2", { haRestartPriority: "highest" });
    await vmOn("web1", "esx2", { haRestartPriority: "high" });
    await vmOn("web2", "esx2", { haRestartPriority: "high", memoryMb: 8192, memory: { reservationMb: 2048 } });
    await vmOn("app", "esx2");
    await vmOn("batch", "esx2", { haRestartPriority: "low", guestOs: "windows" });
    await vmOn("scratch", "esx2", { haRestartPriority: "disabled" });
    await vmOn("other", "esx1");
    await newEvents();
  });

  it("goes down at once, is declared failed after 15 s, and its VMs restart tier by tier", async () => {
    await rt.failHost("esx2");
    expect(await hostState("esx2")).toBe("failed");
    expect(await vmStatus("web1")).toMatchObject({
      powerState: "off",
      currentHost: null,
      haRestart: { state: "awaitingRestart", fromHost: "esx2", eligibleAtSeconds: 15 },
    });
    expect((await vmStatus("scratch")).haRestart).toBeNull();
    expect(await newEvents()).toEqual([
      "0 app Crashed",
      "0 batch Crashed",
      "0 scratch Crashed",
      "0 top Crashed",
      "0 web1 Crashed",
      "0 web2 Crashed",
      "0 esx2 HostFailed",
    ]);

    await rt.advance(14);
    expect(await newEvents()).toEqual([]);
    await rt.advance(1);
    // The highest tier restarts at the declaration; the next waits until its guest is up.
    const topUp = 15 + boot({});
    expect(await newEvents()).toEqual(["15 prod HaFailoverStarted", "15 top HaRestarted"]);
    expect(await vmStatus("top")).toMatchObject({
      powerState: "on",
      currentHost: expect.stringMatching(/^esx[13]$/),
      haRestart: { state: "restarting", readyAtSeconds: topUp },
    });

    await rt.advance(topUp - 15);
    // Within a tier, the bigger VM goes first.
    const highUp = topUp + Math.max(boot({}), boot({ memoryMb: 8192 }));
    expect(await newEvents()).toEqual([`${topUp} prod HaTierReady`, `${topUp} web2 HaRestarted`, `${topUp} web1 HaRestarted`]);
    await rt.advance(highUp - topUp);
    const mediumUp = highUp + boot({});
    expect(await newEvents()).toEqual([`${highUp} prod HaTierReady`, `${highUp} app HaRestarted`]);
    await rt.advance(mediumUp - highUp);
    const lowUp = mediumUp + boot({ guestOs: "windows" });
    expect(await newEvents()).toEqual([`${mediumUp} prod HaTierReady`, `${mediumUp} batch HaRestarted`]);
    await rt.advance(1000);
    expect(await newEvents()).toEqual([`${lowUp} prod HaTierReady`, `${lowUp} prod HaFailoverCompleted`]);

    for (const name of ["top", "web1", "web2", "app", "batch"]) {
      expect(await vmStatus(name)).toMatchObject({ powerState: "on", currentHost: expect.stringMatching(/^esx[13]$/), haRestart: null });
    }
    expect(await vmStatus("scratch")).toMatchObject({ powerState: "off", haRestart: null });
    const [started] = await eventsOf("HaFailoverStarted");
    expect(started.message).toContain(
      "HA declared host esx2 failed after 15 s without network or datastore heartbeats; 5 VM(s) went down with it for HA to restart",
    );
    const [restarted] = await eventsOf("HaRestarted");
    expect(restarted.message).toMatch(
      /^restarted on esx[13] 15 s after it went down on esx2 \(priority highest\): score [\d.]+ \(Balance [\d.]+, DrsBalance [\d.]+\), 2 of 3 hosts feasible; the guest is up in 32 s$/,
    );
  });

  it("restarts at once when the host comes back before HA declared it failed", async () => {
    await rt.failHost("esx2");
    await rt.advance(5);
    await newEvents();
    await rt.recoverHost("esx2");
    expect(await hostState("esx2")).toBe("connected");
    expect(await newEvents()).toEqual(["5 esx2 HostRecovered", "5 top HaRestarted"]);
    await rt.advance(20);
    // The cancelled declaration never fires.
    expect(await eventsOf("HaFailoverStarted")).toEqual([]);
  });

  it("leaves the VMs off without HA, and says so", async () => {
    await rt.apply(cluster("prod", { ha: { enabled: false } }));
    await rt.failHost("esx2");
    await rt.advance(600);
    expect((await vmStatus("web1")).powerState).toBe("off");
    expect((await eventsOf("HostFailed"))[0].message).toBe(
      "crashed: 6 running VM(s) went down with it; HA is off in cluster prod, so nothing restarts them",
    );
    expect((await eventsOf("HaRestarted")).length).toBe(0);
  });

  it("with the cluster's default priority disabled, restarts only the VMs that set their own", async () => {
    await rt.apply(cluster("prod", { ha: { enabled: true, restartPriority: "disabled" } }));
    await rt.failHost("esx2");
    await rt.advance(600);
    // app has no priority of its own; the others set one (scratch: disabled).
    expect((await eventsOf("HaRestarted")).map((e) => e.name).sort()).toEqual(["batch", "top", "web1", "web2"]);
    expect(await vmStatus("app")).toMatchObject({ powerState: "off", haRestart: null });
  });

  it("refuses to fail a failed host, to recover a connected one, and an unknown mode", async () => {
    await rt.failHost("esx2");
    expect((await refusal(rt.failHost("esx2")))?.message).toContain(
      "Conflict: Host esx2: field state: the host is failed; only a connected host or one in maintenance can fail",
    );
    expect((await refusal(rt.recoverHost("esx1")))?.message).toContain(
      "Conflict: Host esx1: field state: the host is connected; only a failed or isolated host can recover",
    );
    expect((await refusal(rt.failHost("esx9")))?.code).toBe("NotFound");
    expect((await refusal(rt.failHost("esx1", { mode: "meltdown" as never })))?.message).toContain("InvalidSpec: Host esx1: field mode");
  });
});

describe("VMs that do not fit", () => {
  beforeEach(async () => {
    await setup({ admissionControl: { policy: "disabled" } }, [
      ["esx1", { memoryMb: 16384 }],
      ["esx2", { memoryMb: 16384 }],
    ]);
    await vmOn("big", "esx2", { memory: { reservationMb: 12000 }, haRestartPriority: "high" });
    await vmOn("small", "esx2", { memory: { reservationMb: 2000 }, haRestartPriority: "low" });
    await vmOn("resident", "esx1", { memory: { reservationMb: 8000 } });
  });

  it("stay pendingRestart with the reason, lower priorities still restart, and capacity returning restarts them", async () => {
    await rt.failHost("esx2");
    await rt.advance(15);
    const pending = (await eventsOf("HaRestartPending")).map((e) => [e.name, e.message]);
    expect(pending).toEqual([
      [
        "big",
        expect.stringContaining(
          "no host can restart it now (Capacity: esx1; HostState: esx2): esx1: needs 12000 MB reserved memory (incl. overhead), 8384 MB unreserved; esx2: host is failed; it restarts as soon as capacity returns",
        ),
      ],
    ]);
    expect(await vmStatus("big")).toMatchObject({
      powerState: "off",
      haRestart: { state: "pendingRestart", pendingReason: "Capacity: esx1; HostState: esx2" },
    });
    // The low tier does not wait for a pending VM: it restarts at once.
    expect((await eventsOf("HaRestarted")).map((e) => [e.timeSeconds, e.name])).toEqual([[15, "small"]]);
    expect((await rt.get("Cluster", "prod"))!.status).toMatchObject({ ha: { pendingRestarts: 1, restartsInProgress: 1 } });

    // Powering another VM off frees the room: the pending VM restarts in the same operation.
    await rt.apply(vm("resident", { memory: { reservationMb: 8000 }, powerState: "off" }));
    expect(await vmStatus("big")).toMatchObject({ powerState: "on", currentHost: "esx1", haRestart: { state: "restarting" } });
    const last = (await rt.events()).slice(-2).map((e) => `${e.name} ${e.reason}`);
    expect(last).toEqual(["resident PoweredOff", "big HaRestarted"]);
  });

  it("restart on the recovered host", async () => {
    await rt.failHost("esx2");
    await rt.advance(60);
    await rt.recoverHost("esx2");
    expect(await vmStatus("big")).toMatchObject({ powerState: "on", currentHost: "esx2", haRestart: { state: "restarting" } });
  });

  it("a restart refused by resource-pool admission is an AdmissionRefused event, then pending", async () => {
    // A fixed pool claims 15000 MB of the cluster: once esx2 is gone, 16384 MB remain for 8000 + 15000 reserved.
    await rt.apply(vm("resident", { memory: { reservationMb: 8000 }, powerState: "off" }));
    await rt.apply(pool("reserved", { memory: { reservationMb: 15000, expandableReservation: false } }));
    await rt.apply(vm("resident", { memory: { reservationMb: 1000 } }));
    await rt.failHost("esx2");
    await rt.advance(15);
    const refused = (await eventsOf("AdmissionRefused")).map((e) => [e.name, e.message]);
    expect(refused[0]).toEqual([
      "big",
      expect.stringContaining(
        "HA restart refused by admission control: the reservation does not fit cluster prod; memory: needs 12000 MB, cluster prod has 384 MB unreserved (capacity 16384, reserved 16000)",
      ),
    ]);
    expect(await vmStatus("big")).toMatchObject({
      haRestart: { state: "pendingRestart", pendingReason: "admission control: the reservation does not fit cluster prod" },
    });
  });
});

describe("a pinned VM and local storage", () => {
  it("wait for their host to come back", async () => {
    await setup({});
    await rt.apply(datastore("san", "nfs"));
    await rt.apply(datastore("local2", "local"));
    for (const [h, ds] of [
      ["esx1", ["san"]],
      ["esx2", ["san", "local2"]],
      ["esx3", ["san"]],
    ] as const)
      await rt.apply(esxHost(h, "prod", { datastores: [...ds] }));
    await rt.apply(vm("pinned", { host: "esx2" }));
    await rt.apply(vm("local", { disks: [{ datastore: "local2", sizeGb: 20 }] }));
    await vmOn("shared", "esx2", { disks: [{ datastore: "san", sizeGb: 20 }] });
    await rt.failHost("esx2");
    await rt.advance(120);
    const reasons = Object.fromEntries((await eventsOf("HaRestartPending")).map((e) => [e.name, e.message]));
    expect(reasons.pinned).toContain("(Pinning: esx1, esx3; HostState: esx2)");
    expect(reasons.local).toContain("(StorageVisibility: esx1, esx3; HostState: esx2)");
    expect(reasons.local).toContain("esx1: does not mount datastore local2 (the VM has disks there)");
    expect((await vmStatus("shared")).currentHost).toMatch(/^esx[13]$/);
    await rt.recoverHost("esx2");
    expect(await vmStatus("pinned")).toMatchObject({ currentHost: "esx2", powerState: "on" });
    expect(await vmStatus("local")).toMatchObject({ currentHost: "esx2", powerState: "on" });
  });
});

describe("failover hosts", () => {
  it("take the restarts first, and only them", async () => {
    await setup({ admissionControl: { policy: "failoverHosts", failoverHosts: ["esx3"] } });
    await rt.apply(vm("a"));
    await rt.apply(vm("b"));
    expect([(await vmStatus("a")).currentHost, (await vmStatus("b")).currentHost].sort()).toEqual(["esx1", "esx2"]);
    const onEsx2 = (await vmStatus("a")).currentHost === "esx2" ? "a" : "b";
    await rt.failHost("esx2");
    await rt.advance(15);
    expect(await vmStatus(onEsx2)).toMatchObject({ currentHost: "esx3" });
  });
});

describe("an isolated host", () => {
  async function isolatedCluster(isolationResponse: string) {
    await setup({ isolationResponse });
    await vmOn("a", "esx2");
    await vmOn("b", "esx2", { guestOs: "windows" });
    await newEvents();
  }

  it("with response none keeps its VMs running and nothing restarts", async () => {
    await isolatedCluster("none");
    await rt.failHost("esx2", { mode: "isolation" });
    expect(await hostState("esx2")).toBe("isolated");
    await rt.advance(600);
    expect(await newEvents()).toEqual(["0 esx2 HostIsolated", "30 esx2 HaIsolationDeclared", "60 esx2 HaIsolationResponse"]);
    expect(await vmStatus("a")).toMatchObject({ powerState: "on", currentHost: "esx2" });
    await rt.recoverHost("esx2");
    expect((await eventsOf("HostRecovered"))[0].message).toBe("network restored; 2 VM(s) still run on it");
  });

  it("with response powerOff powers the VMs off 60 s in and HA restarts them elsewhere", async () => {
    await isolatedCluster("powerOff");
    await rt.failHost("esx2", { mode: "isolation" });
    await rt.advance(600);
    expect(await newEvents()).toEqual([
      "0 esx2 HostIsolated",
      "30 esx2 HaIsolationDeclared",
      "60 esx2 HaIsolationResponse",
      "60 a PoweredOff",
      "60 b PoweredOff",
      "60 a HaRestarted",
      "60 b HaRestarted",
      `${60 + boot({ guestOs: "windows" })} prod HaTierReady`,
      `${60 + boot({ guestOs: "windows" })} prod HaFailoverCompleted`,
    ]);
    expect((await vmStatus("a")).currentHost).toMatch(/^esx[13]$/);
  });

  it("with response shutdown waits for the guests to shut down", async () => {
    await isolatedCluster("shutdown");
    await rt.failHost("esx2", { mode: "isolation" });
    await rt.advance(119);
    expect((await vmStatus("a")).currentHost).toBe("esx2");
    await rt.advance(1);
    expect((await vmStatus("a")).currentHost).toMatch(/^esx[13]$/);
    expect((await eventsOf("PoweredOff"))[0].message).toBe(
      "shut down by the isolation response of host esx2; HA restarts it (priority medium) on another host",
    );
  });

  it("declares itself isolated after 5 s when it is the primary host", async () => {
    await isolatedCluster("powerOff");
    await rt.failHost("esx1", { mode: "isolation" });
    await rt.advance(60);
    expect(await newEvents()).toEqual(["0 esx1 HostIsolated", "5 esx1 HaIsolationDeclared", "35 esx1 HaIsolationResponse"]);
  });

  it("whose guests finish shutting down after it recovered frees room for pending VMs", async () => {
    await setup({ isolationResponse: "shutdown", admissionControl: { policy: "disabled" } }, [
      ["esx1", { memoryMb: 16384 }],
      ["esx2", { memoryMb: 16384 }],
      ["esx3", { memoryMb: 16384 }],
    ]);
    await vmOn("resident", "esx1", { memory: { reservationMb: 8000 } });
    await vmOn("iso", "esx2", { memory: { reservationMb: 12000 }, haRestartPriority: "disabled" });
    await vmOn("big", "esx3", { memory: { reservationMb: 12000 } });
    await rt.failHost("esx2", { mode: "isolation" });
    await rt.failHost("esx3");
    await rt.advance(90);
    expect((await vmStatus("big")).haRestart).toMatchObject({ state: "pendingRestart" });
    await rt.recoverHost("esx2");
    expect((await vmStatus("big")).haRestart).toMatchObject({ state: "pendingRestart" });
    await rt.advance(30);
    expect(await vmStatus("iso")).toMatchObject({ powerState: "off" });
    expect(await vmStatus("big")).toMatchObject({ powerState: "on", currentHost: "esx2" });
  });

  it("that recovers before the response keeps its VMs", async () => {
    await isolatedCluster("powerOff");
    await rt.failHost("esx2", { mode: "isolation" });
    await rt.advance(40);
    await rt.recoverHost("esx2");
    await rt.advance(600);
    expect(await vmStatus("a")).toMatchObject({ powerState: "on", currentHost: "esx2" });
    expect(await eventsOf("HaIsolationResponse")).toEqual([]);
  });
});
