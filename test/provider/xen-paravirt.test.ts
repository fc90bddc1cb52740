/** examples/xen-paravirt through Pulumi's real dynamic provider host: PV and HVM guests, and a live migration by pin change. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VirtualMachineObject } from "../../runtime";
import { type ExampleSession, changedSteps, nameOf, startExample, steps } from "./example-session";

let s: ExampleSession;
const getVm = (name: string) => s.runtimeView(async (rt) => (await rt.get("VirtualMachine", name)) as VirtualMachineObject);

beforeAll(async () => {
  s = await startExample("xen-paravirt");
});
afterAll(() => s?.close());

describe("examples/xen-paravirt", () => {
  it("up runs Linux and NetBSD paravirtualized and Windows in a hardware VM", async () => {
    const result = await s.engine.up(s.program());
    expect(result.errors).toEqual([]);
    expect(steps(result)).toEqual([
      "create db",
      "create nfs-images",
      "create web",
      "create win",
      "create xen-pool",
      "create xen1",
      "create xen1-local",
      "create xen2",
      "create xen2-local",
    ]);
    // Xen 3.0 (Barham et al., SOSP 2003): ported kernels run paravirtualized; Windows needs VT-x (HVM).
    expect(result.outputs).toMatchObject({
      webHost: "xen1",
      webMode: "paravirtual",
      dbMode: "paravirtual",
      winMode: "hardware",
      webLastMigration: null,
    });
    expect((await getVm("win")).status.paging).toBe("shadow");
  });

  it("changing the web server's host live-migrates it: an update, not a replacement, with the migration in status", async () => {
    const result = await s.engine.up(s.edited('const webHost = "xen1";', 'const webHost = "xen2";'));
    expect(result.errors).toEqual([]);
    expect(changedSteps(result)).toEqual(["update web"]);
    expect(result.rpcs.filter((c) => c.method === "Create" || c.method === "Delete")).toEqual([]);
    expect(result.outputs.webHost).toBe("xen2");
    const last = result.outputs.webLastMigration as Record<string, unknown>;
    expect(last).toMatchObject({ fromHost: "xen1", toHost: "xen2", kind: "live" });
    expect(last.rounds as number).toBeGreaterThan(1);
    expect(last.downtimeMs as number).toBeGreaterThan(25);
    const web = await getVm("web");
    expect(web.status).toMatchObject({ currentHost: "xen2", migrations: 1, migration: null, virtualization: "paravirtual" });
    const events = await s.runtimeView((rt) => rt.events());
    const reasons = events.filter((e) => e.name === "web").map((e) => e.reason);
    expect(reasons.slice(-3)).toEqual(["Updated", "MigrationStarted", "Migrated"]);
    const started = events.find((e) => e.reason === "MigrationStarted")!;
    const done = events.find((e) => e.reason === "Migrated")!;
    expect(done.timeSeconds - started.timeSeconds).toBeCloseTo(last.totalSeconds as number, 2);
  });

  it("a VM on a local partition cannot live-migrate: the update fails and changes nothing", async () => {
    // Live migration needs shared storage: xen2 does not mount xen1's local datastore.
    const result = await s.engine.up(
      s.edited(
        '      host: "xen1",\n      vcpus: 2,\n      memoryMb: 2048,',
        '      host: "xen2",\n      vcpus: 2,\n      memoryMb: 2048,',
      ),
    );
    expect(result.errors.map((e) => nameOf(e.urn))).toEqual(["db"]);
    expect(result.errors[0].message).toContain(
      "cannot live-migrate from xen1 to xen2: live migration needs shared storage, and xen2 does not mount xen1-local",
    );
    expect(result.errors[0].message).toContain("disk 0 on datastore xen1-local (partition /dev/sda5)");
    expect((await getVm("db")).status.currentHost).toBe("xen1");
  });

  it("destroy removes everything", async () => {
    const result = await s.engine.destroy();
    expect(result.errors).toEqual([]);
    expect(await s.runtimeView((rt) => rt.list("VirtualMachine"))).toEqual([]);
  });
});
