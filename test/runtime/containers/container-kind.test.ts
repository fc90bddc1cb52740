/**
 * Containers through the runtime API: templates, kernel sharing, addresses, schedulers, HA and moves.
 * Scheduler figures cite the OpenVZ User's Guide ("Managing CPU Share") and the Solaris System
 * Administration Guide: Resource Management ("Fair Share Scheduler", "CPU Caps").
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ContainerObject, type HostObject, type Runtime, type TemplateObject, openRuntime } from "../../../runtime";

let rt: Runtime;
beforeEach(async () => {
  rt = await openRuntime({ path: ":memory:" });
});
afterEach(() => rt.close());

const host = (name: string, hypervisor: string, extra: Record<string, unknown> = {}, cluster = "farm") => ({
  kind: "Host" as const,
  name,
  spec: {
    cluster,
    hypervisor,
    cpu: { sockets: 1, coresPerSocket: 4, mhz: 2000, vendor: "intel", features: ["lm"] },
    memoryMb: 16384,
    ...extra,
  },
});
const ct = (name: string, spec: Record<string, unknown>) => ({
  kind: "Container" as const,
  name,
  spec: { cluster: "farm", template: "centos-5-x86_64", memoryMb: 512, diskGb: 4, ...spec },
});
const get = async (name: string) => (await rt.get("Container", name)) as ContainerObject;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error & { code?: string }) => e,
  );

async function inventory(...hosts: ReturnType<typeof host>[]) {
  // HA restarts containers here; admission control (which counts containers too) is another file's subject.
  await rt.apply({ kind: "Cluster", name: "farm", spec: { ha: { enabled: true, admissionControl: { policy: "disabled" } } } });
  for (const h of hosts) await rt.apply(h);
}

describe("templates", () => {
  it("lists the built-in templates without declaring them, and a declared one replaces its namesake", async () => {
    const all = (await rt.list("Template")) as TemplateObject[];
    expect(all.map((t) => t.name)).toEqual(
      expect.arrayContaining(["centos-5-x86_64", "solaris-10-x86", "windows-server-2003-x86_64", "apache", "mysql"]),
    );
    expect(((await rt.get("Template", "apache")) as TemplateObject).status.builtIn).toBe(true);
    await rt.apply({ kind: "Template", name: "apache", spec: { type: "app", osFamily: "linux", distribution: "debian", version: "2.4" } });
    const apache = (await rt.get("Template", "apache")) as TemplateObject;
    expect([apache.status.builtIn, apache.spec.version]).toEqual([false, "2.4"]);
    expect((await rt.list("Template")).filter((t) => t.name === "apache")).toHaveLength(1);
  });

  it("adds app templates that suit the OS and refuses the others; a template in use cannot go", async () => {
    await inventory(host("vz1", "openvz"));
    await rt.apply(ct("web", { apps: ["apache", "mysql"] }));
    expect((await get("web")).status.state).toBe("running");
    const e = await refusal(rt.apply(ct("iis", { apps: ["iis"] })));
    expect([e?.code, e?.message]).toEqual([
      "Incompatible",
      expect.stringMatching(/Container iis: field apps.0: app template iis needs windows/),
    ]);
    const small = await refusal(rt.apply(ct("tiny", { apps: ["apache"], diskGb: 1 })));
    expect([small?.code, small?.message]).toEqual([
      "InvalidSpec",
      expect.stringContaining("field diskGb: the templates' files take 1.1 GB (centos-5-x86_64 1 GB, apache 0.1 GB)"),
    ]);
    await rt.apply({ kind: "Template", name: "lamp", spec: { type: "os", osFamily: "linux", distribution: "centos", version: "5" } });
    await rt.apply(ct("lamp1", { template: "lamp" }));
    expect(((await rt.get("Template", "lamp")) as TemplateObject).status.containers).toEqual(["lamp1"]);
    const gone = await refusal(rt.delete("Template", "lamp"));
    expect([gone?.code, gone?.message]).toEqual(["Conflict", expect.stringContaining("Container lamp1")]);
  });
});

describe("kernel sharing", () => {
  it("places a container only where the host's kernel suits its template", async () => {
    await inventory(host("vz1", "openvz"), host("sol1", "zones"));
    await rt.apply(ct("linux1", {}));
    await rt.apply(ct("zone1", { template: "solaris-10-x86_64" }));
    expect([(await get("linux1")).status.currentHost, (await get("zone1")).status.currentHost]).toEqual(["vz1", "sol1"]);
    expect(((await rt.get("Host", "vz1")) as HostObject).status.containers).toEqual(["linux1"]);
  });

  it("refuses an incompatible pin with Incompatible naming host and template", async () => {
    await inventory(host("vz1", "openvz"));
    const e = await refusal(rt.apply(ct("z", { cluster: undefined, host: "vz1", template: "solaris-10-x86" })));
    expect(e?.code).toBe("Incompatible");
    expect(e?.message).toMatch(
      /Container z: field host: host vz1 \(openvz\) cannot run template solaris-10-x86 \(solaris x86\): openvz containers share a linux kernel/,
    );
    const none = await refusal(rt.apply(ct("w", { template: "windows-server-2003-x86_64" })));
    expect([none?.code, none?.message]).toEqual([
      "Incompatible",
      expect.stringMatching(/vz1 \(openvz\) cannot run template windows-server-2003-x86_64/),
    ]);
  });

  it("runs Windows on Virtuozzo, one kernel per host, and 32-bit Linux in lx branded zones", async () => {
    await inventory(host("vzw", "virtuozzo"), host("sol1", "zones"));
    await rt.apply(ct("win1", { template: "windows-server-2003-x86_64" }));
    expect((await get("win1")).status.currentHost).toBe("vzw");
    const e = await refusal(rt.apply(ct("lin1", { host: "vzw" })));
    expect(e?.message).toMatch(/the host runs a windows kernel/);
    await rt.apply(ct("lx1", { template: "centos-3-x86" }));
    expect([(await get("lx1")).status.currentHost, (await get("lx1")).status.brand]).toEqual(["sol1", "lx"]);
  });

  it("holds each container's memory limit plus its small overhead", async () => {
    await inventory(host("vz1", "openvz", { memoryMb: 4096 }));
    for (let i = 0; i < 7; i++) await rt.apply(ct(`c${i}`, {}));
    const h = (await rt.get("Host", "vz1")) as HostObject;
    // 512 MB + 2% (11 MB, rounded up) each.
    expect(h.status.memoryReservedMb).toBe(7 * 523);
    const e = await refusal(rt.apply(ct("c7", {})));
    expect([e?.code, e?.message]).toEqual(["InsufficientCapacity", expect.stringContaining("vz1: needs 523 MB")]);
  });
});

describe("addresses", () => {
  it("refuses an address another container holds, naming the holder", async () => {
    await inventory(host("vz1", "openvz"));
    await rt.apply(ct("a", { ipAddresses: ["10.0.0.5"] }));
    const e = await refusal(rt.apply(ct("b", { ipAddresses: ["10.0.0.6", "10.0.0.5"] })));
    expect([e?.code, e?.message]).toEqual(["Conflict", expect.stringContaining("field ipAddresses: 10.0.0.5 is held by container a")]);
    await rt.delete("Container", "a");
    await rt.apply(ct("b", { ipAddresses: ["10.0.0.6", "10.0.0.5"] }));
    expect((await get("b")).status.ipAddresses).toEqual(["10.0.0.6", "10.0.0.5"]);
  });

  it("gives ipFrom containers the lowest free address and keeps it across changes", async () => {
    await inventory(host("vz1", "openvz"));
    await rt.apply(ct("x", { ipAddresses: ["10.1.0.1"] }));
    for (const n of ["m0", "m1", "m2"]) await rt.apply(ct(n, { ipFrom: "10.1.0.0" }));
    expect(await Promise.all(["m0", "m1", "m2"].map(async (n) => (await get(n)).status.ipAddresses))).toEqual([
      ["10.1.0.0"],
      ["10.1.0.2"],
      ["10.1.0.3"],
    ]);
    await rt.apply(ct("m1", { ipFrom: "10.1.0.0", memoryMb: 1024 }));
    expect((await get("m1")).status.ipAddresses).toEqual(["10.1.0.2"]);
  });
});

describe("CPU entitlement", () => {
  // OpenVZ User's Guide, "Managing CPU Share": busy containers split the host by cpuunits; cpulimit caps.
  it("divides an OpenVZ host by cpuunits and caps by cpulimit", async () => {
    await inventory(host("vz1", "openvz"));
    await rt.apply(ct("a", { cpu: { units: 1000 }, workload: { cpuDemandMhz: 8000 } }));
    await rt.apply(ct("b", { cpu: { units: 3000 }, workload: { cpuDemandMhz: 8000 } }));
    expect([(await get("a")).status.cpuEntitlementMhz, (await get("b")).status.cpuEntitlementMhz]).toEqual([2000, 6000]);
    await rt.apply(ct("b", { cpu: { units: 3000, limitPercent: 50 }, workload: { cpuDemandMhz: 8000 } }));
    expect([(await get("a")).status.cpuEntitlementMhz, (await get("b")).status.cpuEntitlementMhz]).toEqual([7000, 1000]);
  });

  // Solaris guide, "Fair Share Scheduler" and "CPU Caps": shares among active zones, projects within,
  // and an absolute cap; dedicated-cpu takes CPUs out of pool_default.
  it("divides a zones host by FSS shares, projects and caps", async () => {
    await inventory(host("sol1", "zones", { cpuPools: [{ name: "db", cpus: 1 }] }));
    const zone = (name: string, spec: Record<string, unknown>) => ct(name, { template: "solaris-10-x86_64", ...spec });
    await rt.apply(
      zone("web", {
        cpu: { shares: 2 },
        projects: [
          { name: "front", shares: 3, workload: { cpuDemandMhz: 9000 } },
          { name: "batch", shares: 1, workload: { cpuDemandMhz: 9000 } },
        ],
      }),
    );
    await rt.apply(zone("app", { cpu: { shares: 1, cappedCpus: 0.5 }, workload: { cpuDemandMhz: 9000 } }));
    await rt.apply(zone("db", { cpu: { pool: "db" }, workload: { cpuDemandMhz: 9000 } }));
    // pool_default: 3 CPUs (6000 MHz); app capped at 1000 MHz, web takes the other 5000, split 3:1.
    const web = await get("web");
    expect([web.status.cpuEntitlementMhz, web.status.projectEntitlementsMhz]).toEqual([5000, { front: 3750, batch: 1250 }]);
    expect((await get("app")).status.cpuEntitlementMhz).toBe(1000);
    expect((await get("db")).status.cpuEntitlementMhz).toBe(2000);
    const e = await refusal(rt.apply(zone("ded", { cpu: { dedicatedCpus: 3 } })));
    expect([e?.code, e?.message]).toEqual(["InsufficientCapacity", expect.stringMatching(/keep one CPU for pool_default/)]);
    await rt.apply(zone("ded", { cpu: { dedicatedCpus: 2 }, workload: { cpuDemandMhz: 9000 } }));
    expect((await get("ded")).status.cpuEntitlementMhz).toBe(4000);
    // pool_default is down to 1 CPU: web and app split it 2:1 (app's cap no longer binds).
    expect([(await get("web")).status.cpuEntitlementMhz, (await get("app")).status.cpuEntitlementMhz]).toEqual([1333, 666]);
  });
});

describe("HA and moves", () => {
  it("restarts a crashed host's containers elsewhere with their addresses, and waits when there is no room", async () => {
    await inventory(host("vz1", "openvz"), host("vz2", "openvz", { memoryMb: 1024 }));
    await rt.apply(ct("a", { host: undefined, ipAddresses: ["10.0.0.1"], haRestartPriority: "high" }));
    await rt.apply(ct("b", { ipAddresses: ["10.0.0.2"] }));
    await rt.apply(ct("c", { ipAddresses: ["10.0.0.3"] }));
    const on1 = ((await rt.get("Host", "vz1")) as HostObject).status.containers;
    expect(on1.length).toBeGreaterThan(0);
    const seq = (await rt.events()).at(-1)!.seq;
    await rt.failHost("vz1");
    await rt.advance(20);
    const events = await rt.events({ sinceSeq: seq });
    const restarted = events.filter((e) => e.reason === "HaRestarted").map((e) => e.name);
    const pending = events.filter((e) => e.reason === "HaRestartPending").map((e) => e.name);
    expect([...restarted, ...pending].sort()).toEqual([...on1].sort());
    for (const n of restarted) expect((await get(n)).status).toMatchObject({ currentHost: "vz2", state: "running" });
    expect(pending.length).toBeGreaterThan(0);
    await rt.recoverHost("vz1");
    for (const n of pending) expect((await get(n)).status.currentHost).toBe("vz1");
    for (const n of ["a", "b", "c"]) expect((await get(n)).status.ipAddresses).toHaveLength(1);
  });

  const reserved = async (h: string) => ((await rt.get("Host", h)) as HostObject).status.memoryReservedMb;
  const lastEvent = async (name: string, reason: string) =>
    (await rt.events()).filter((e) => e.name === name && e.reason === reason).at(-1);
  // 256 MB limit plus the 2% kernel-sharing overhead (virtualization-overhead.ts), rounded up.
  const NEED_256 = 256 + 6;

  it("moves a running container by checkpoint/restore when its pin changes, taking the modelled time, only within one technology", async () => {
    await inventory(host("vz1", "openvz"), host("vz2", "openvz"), host("vzz", "virtuozzo"));
    await rt.apply(ct("a", { host: "vz1", memoryMb: 256, diskGb: 2 }));
    await rt.advance(100);
    // A move carries the container as it runs: a resize in the same change is refused, nothing moves.
    const both = await refusal(rt.apply(ct("a", { host: "vz2", memoryMb: 512, diskGb: 2 })));
    expect([both?.code, both?.message]).toEqual([
      "Conflict",
      expect.stringContaining(
        "field host: a move to vz2 carries the container as it runs on vz1; change host alone first, then memoryMb: 256 -> 512",
      ),
    ]);
    expect((await get("a")).status).toMatchObject({ currentHost: "vz1", migration: null });
    await rt.apply(ct("a", { host: "vz2", memoryMb: 256, diskGb: 2 }));
    // 2 GB private area over 1000 Mbit/s (16.384 s) plus freeze, dump, transfer, restore, resume of 256 MB (3.272 s).
    const moving = await get("a");
    expect(moving.status.currentHost).toBe("vz1");
    expect(moving.status.migration).toMatchObject({
      kind: "checkpointRestore",
      fromHost: "vz1",
      toHost: "vz2",
      startedAtSeconds: 100,
      completesAtSeconds: 119.656,
    });
    expect(moving.status.migration!.downtimeFromSeconds).toBeCloseTo(116.384, 6);
    expect(moving.status.migration!.expected).toMatchObject({ downtimeMs: 3272, totalSeconds: 19.656 });
    // The target holds the container from the start; the source until it lands.
    expect([await reserved("vz1"), await reserved("vz2")]).toEqual([NEED_256, NEED_256]);
    expect((await lastEvent("a", "MigrationStarted"))?.message).toMatch(
      /by checkpoint\/restore: .*lands at t=119\.656 s; it keeps running on vz1 until frozen at t=116\.384 s for the last 3272 ms/,
    );
    const busy = await refusal(rt.apply(ct("a", { host: "vz1", memoryMb: 256, diskGb: 2 })));
    expect([busy?.code, busy?.message]).toEqual([
      "Conflict",
      expect.stringContaining("a checkpointRestore move from vz1 to vz2 is in progress until t=119.7 s"),
    ]);
    const held = (await refusal(rt.delete("Host", "vz2"))) as (Error & { code?: string; details?: string[] }) | undefined;
    expect([held?.code, held?.details]).toEqual(["Conflict", expect.arrayContaining(["Container a (moving here)"])]);
    await rt.advance(19.5);
    expect((await get("a")).status).toMatchObject({ currentHost: "vz1", migrations: 0, lastMigration: null });
    await rt.advance(0.5);
    const a = await get("a");
    expect(a.status).toMatchObject({ currentHost: "vz2", migration: null, migrations: 1 });
    expect(a.status.lastMigration).toMatchObject({
      fromHost: "vz1",
      toHost: "vz2",
      kind: "checkpointRestore",
      downtimeMs: 3272,
      totalSeconds: 19.656,
    });
    expect(a.status.lastMigration!.completedAtSeconds).toBeCloseTo(119.656, 6);
    expect([await reserved("vz1"), await reserved("vz2")]).toEqual([0, NEED_256]);
    expect((await lastEvent("a", "Migrated"))?.timeSeconds).toBeCloseTo(119.656, 6);
    const e = await refusal(rt.apply(ct("a", { host: "vzz", memoryMb: 256, diskGb: 2 })));
    expect([e?.code, e?.message]).toEqual([
      "Incompatible",
      expect.stringMatching(/same container technology; openvz and virtuozzo differ/),
    ]);
  });

  it("moves a zone by detach/attach, down for the whole move", async () => {
    await inventory(host("sol1", "zones"), host("sol2", "zones"));
    await rt.apply(ct("z", { host: "sol1", template: "solaris-10-x86_64", memoryMb: 256, diskGb: 1 }));
    await rt.apply(ct("z", { host: "sol2", template: "solaris-10-x86_64", memoryMb: 256, diskGb: 1 }));
    // Halt 10 s, 1 GB zonepath over 1000 Mbit/s (8.192 s), boot 30 s: all of it downtime (migration/container-move-model.ts).
    const m = (await get("z")).status.migration!;
    expect(m).toMatchObject({ kind: "detachAttach", startedAtSeconds: 0, downtimeFromSeconds: 0 });
    expect(m.completesAtSeconds).toBeCloseTo(48.192, 6);
    expect((await lastEvent("z", "MigrationStarted"))?.message).toMatch(/by detach\/attach: .*the zone is down for the whole move/);
    await rt.advance(49);
    expect((await get("z")).status).toMatchObject({
      currentHost: "sol2",
      migration: null,
      lastMigration: { kind: "detachAttach", downtimeMs: 48192 },
    });
    // Deleted in flight: the move is abandoned and both hosts give the zone's memory back.
    await rt.apply(ct("z", { host: "sol1", template: "solaris-10-x86_64", memoryMb: 256, diskGb: 1 }));
    await rt.delete("Container", "z");
    const hosts = (await rt.list("Host")) as HostObject[];
    expect(hosts.map((h) => h.status.memoryReservedMb)).toEqual([0, 0]);
    expect((await lastEvent("z", "MigrationAborted"))?.message).toContain("the container is being deleted");
    await rt.advance(60);
    expect(await rt.get("Container", "z")).toBeUndefined();
  });

  it("abandons a move when its target fails; a container on a failed source goes down with it and HA restarts it", async () => {
    await inventory(host("vz1", "openvz"), host("vz2", "openvz"), host("vz3", "openvz"));
    await rt.apply(ct("a", { host: "vz1", memoryMb: 256, diskGb: 2 }));
    await rt.apply(ct("a", { host: "vz2", memoryMb: 256, diskGb: 2 }));
    await rt.failHost("vz2");
    expect((await get("a")).status).toMatchObject({ currentHost: "vz1", state: "running", migration: null, migrations: 0 });
    expect([await reserved("vz1"), await reserved("vz2")]).toEqual([NEED_256, 0]);
    expect((await lastEvent("a", "MigrationAborted"))?.message).toMatch(/checkpoint\/restore move vz1 -> vz2 abandoned: host vz2 crashed$/);
    await rt.advance(30);
    expect((await get("a")).status.currentHost).toBe("vz1");

    await rt.apply(ct("b", { cluster: "farm", memoryMb: 256, diskGb: 2 }));
    const from = (await get("b")).status.currentHost!;
    const to = from === "vz1" ? "vz3" : "vz1";
    await rt.apply(ct("b", { host: to, memoryMb: 256, diskGb: 2 }));
    await rt.failHost(from);
    expect((await get("b")).status).toMatchObject({ currentHost: null, state: "stopped", migration: null });
    expect(await reserved(to)).toBe(to === "vz1" ? NEED_256 : 0);
    await rt.advance(20);
    expect((await get("b")).status).toMatchObject({ currentHost: to, state: "running" });
    expect((await lastEvent("b", "HaRestarted"))?.message).toContain(`after host ${from} failed`);
  });

  it("maintenance moves a host's containers away and enters once they land, or moves nothing when one is pinned there", async () => {
    await inventory(host("vz1", "openvz"), host("vz2", "openvz"));
    await rt.apply(ct("a", { host: "vz1" }));
    await rt.apply(ct("b", {}));
    await rt.apply(ct("c", {}));
    const vz1 = (await rt.get("Host", "vz1")) as HostObject;
    const e = await refusal(rt.apply({ ...host("vz1", "openvz"), spec: { ...host("vz1", "openvz").spec, maintenance: true } }));
    expect([e?.code, e?.message]).toEqual(["Conflict", expect.stringContaining("a: pinned to vz1")]);
    expect(((await rt.get("Host", "vz1")) as HostObject).status.containers).toEqual(vz1.status.containers);
    await rt.apply(ct("a", { host: "vz2" }));
    await rt.advance(60);
    const there = ((await rt.get("Host", "vz1")) as HostObject).status.containers;
    expect(there.length).toBeGreaterThan(0);
    await rt.apply({ ...host("vz1", "openvz"), spec: { ...host("vz1", "openvz").spec, maintenance: true } });
    const leaving = (await rt.get("Host", "vz1")) as HostObject;
    expect(leaving.status.state).toBe("enteringMaintenance");
    const moving = await Promise.all(there.map(get));
    expect(moving.map((c) => [c.status.currentHost, c.status.migration?.toHost])).toEqual(there.map(() => ["vz1", "vz2"]));
    await rt.advance(Math.max(...moving.map((c) => c.status.migration!.completesAtSeconds)) - 60 + 1);
    const after = (await rt.get("Host", "vz1")) as HostObject;
    expect([after.status.state, after.status.containers, after.status.memoryReservedMb]).toEqual(["maintenance", [], 0]);
    for (const n of ["a", "b", "c"]) expect((await get(n)).status.currentHost).toBe("vz2");
    expect((await lastEvent("vz1", "MaintenanceEntered"))?.message).toContain("its last container has left");
  });

  it("keeps HA failover hosts for restarts", async () => {
    await rt.apply({
      kind: "Cluster",
      name: "farm",
      spec: { ha: { enabled: true, admissionControl: { policy: "failoverHosts", failoverHosts: ["vz2"] } } },
    });
    await rt.apply(host("vz1", "openvz", { memoryMb: 1024 }));
    await rt.apply(host("vz2", "openvz"));
    await rt.apply(ct("a", {}));
    expect((await get("a")).status.currentHost).toBe("vz1");
    const e = await refusal(rt.apply(ct("b", {})));
    expect([e?.code, e?.message]).toEqual(["AdmissionControl", expect.stringContaining("vz2: an HA failover host")]);
    await rt.failHost("vz1");
    await rt.advance(20);
    expect((await get("a")).status.currentHost).toBe("vz2");
  });
});
