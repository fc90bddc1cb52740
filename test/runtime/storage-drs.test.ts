/**
 * Datastore clusters and Storage DRS. Initial placement and the space threshold follow "Understanding
 * vSphere Storage DRS" (VMware technical white paper) and the vSphere API's StorageDrsPodConfigInfo
 * (spaceUtilizationThreshold 80%, minSpaceUtilizationDifference 5%, loadBalanceInterval 8 h,
 * defaultIntraVmAffinity true); a storage migration copies the disks once (Storage vMotion 5.0+: one
 * pass plus a mirror driver; Hogan 2012), here over the cluster's 1000 Mbit/s migration link.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DatastoreClusterObject, type DatastoreObject, type Runtime, type VirtualMachineObject, openRuntime } from "../../runtime";
import { cluster, datastore, esxHost, vm } from "../support/fixtures";
import { expectRefusalKeepsFile, tempDir } from "../support/state-file";

let rt: Runtime;
let path: string;
let tmp: ReturnType<typeof tempDir>;

beforeEach(async () => {
  tmp = tempDir();
  path = join(tmp.dir, "state.db");
  rt = await openRuntime({ path });
  for (const ds of ["ds-a", "ds-b", "ds-c", "ds-lonely"]) await rt.apply(datastore(ds, "iscsi", 1000));
  await rt.apply(cluster("prod"));
  // ds-lonely is mounted by no host of the cluster.
  await rt.apply(esxHost("esx1", "prod", { datastores: ["ds-a", "ds-b", "ds-c"] }));
  await rt.apply(esxHost("esx2", "prod", { datastores: ["ds-a", "ds-b", "ds-c"] }));
});
afterEach(async () => {
  await rt.close();
  tmp.cleanup();
});

const pod = (name: string, spec: object) => rt.apply({ kind: "DatastoreCluster", name, spec });
const getPod = async (name: string) => (await rt.get("DatastoreCluster", name)) as DatastoreClusterObject;
const getVm = async (name: string) => (await rt.get("VirtualMachine", name)) as VirtualMachineObject;
const usedGb = async (name: string) => ((await rt.get("Datastore", name)) as DatastoreObject).status.usedGb;
const inPod = (sizeGb: number, podName = "gold") => ({ datastoreCluster: podName, sizeGb });
const reasons = async (kind: string, name: string) =>
  (await rt.events()).filter((e) => e.kind === kind && e.name === name).map((e) => `${e.timeSeconds} ${e.reason}`);

const expectRefusal = (attempt: () => Promise<unknown>, code: string, ...fragments: (string | RegExp)[]) =>
  expectRefusalKeepsFile(path, attempt, code, ...fragments);

describe("DatastoreCluster", () => {
  it("pools its members: defaults, space sums and each member's used percentage in status", async () => {
    await rt.apply(vm("v1", { disks: [{ datastore: "ds-a", sizeGb: 250 }] }));
    await pod("gold", { datastores: ["ds-a", "ds-b"] });
    const gold = await getPod("gold");
    expect(gold.spec.storageDrs).toEqual({
      automationLevel: "manual",
      spaceThresholdPercent: 80,
      ioLatencyThresholdMs: 15,
      intervalSeconds: 28800,
    });
    expect(gold.status).toMatchObject({ capacityGb: 2000, freeGb: 1750, usedPercent: { "ds-a": 25, "ds-b": 0 }, recommendations: [] });
  });

  it("refuses bad specs and references, naming the object, the field and the reason, and changes nothing", async () => {
    await pod("gold", { datastores: ["ds-a", "ds-b"] });
    await expectRefusal(
      () => pod("silver", { datastores: ["ds-c", "ds-x"] }),
      "NotFound",
      "DatastoreCluster silver",
      "datastores.1",
      "ds-x",
    );
    await expectRefusal(
      () => pod("silver", { datastores: ["ds-c", "ds-b"] }),
      "Conflict",
      "datastores.1",
      "already belongs to datastore cluster gold",
    );
    await expectRefusal(() => pod("silver", { datastores: ["ds-c", "ds-c"] }), "InvalidSpec", "datastores", "twice");
    await expectRefusal(() => pod("silver", { datastores: [] }), "InvalidSpec", "datastores");
    await expectRefusal(
      () => pod("silver", { datastores: ["ds-c"], storageDrs: { spaceThresholdPercent: 101 } }),
      "InvalidSpec",
      "storageDrs.spaceThresholdPercent",
    );
    await expectRefusal(
      () => pod("silver", { datastores: ["ds-c"], storageDrs: { intervalSeconds: 60 } }),
      "InvalidSpec",
      "storageDrs.intervalSeconds",
    );
    await expectRefusal(
      () => pod("silver", { datastores: ["ds-c"], storageDrs: { automationLevel: "sometimes" } }),
      "InvalidSpec",
      "automationLevel",
    );
  });

  it("refuses a disk naming both a datastore and a datastore cluster, or neither, or an unknown datastore cluster", async () => {
    await pod("gold", { datastores: ["ds-a", "ds-b"] });
    await expectRefusal(
      () => rt.apply(vm("v1", { disks: [{ datastore: "ds-a", datastoreCluster: "gold", sizeGb: 10 }] })),
      "InvalidSpec",
      "disks.0",
      "exactly one of datastore and datastoreCluster",
    );
    await expectRefusal(() => rt.apply(vm("v1", { disks: [{ sizeGb: 10 }] })), "InvalidSpec", "disks.0.datastore");
    await expectRefusal(() => rt.apply(vm("v1", { disks: [inPod(10, "platinum")] })), "NotFound", "disks.0.datastoreCluster", "platinum");
  });

  it("refuses deleting a datastore cluster disks name, a member datastore, or dropping a member holding its disks", async () => {
    await pod("gold", { datastores: ["ds-a", "ds-b"] });
    await rt.apply(vm("v1", { disks: [inPod(100)] }));
    expect((await getVm("v1")).status.diskDatastores).toEqual(["ds-a"]);
    await expectRefusal(() => rt.delete("DatastoreCluster", "gold"), "Conflict", "DatastoreCluster gold", "VirtualMachine v1");
    await expectRefusal(() => rt.delete("Datastore", "ds-b"), "Conflict", "DatastoreCluster gold (member)");
    await expectRefusal(() => pod("gold", { datastores: ["ds-b"] }), "Conflict", "cannot remove ds-a", "VirtualMachine v1 (disks on ds-a)");
    // A member holding nothing of the cluster may go, and the cluster once no disk names it.
    await pod("gold", { datastores: ["ds-a", "ds-c"] });
    await rt.delete("VirtualMachine", "v1");
    await rt.delete("DatastoreCluster", "gold");
    expect(await rt.get("DatastoreCluster", "gold")).toBeUndefined();
  });
});

describe("Storage DRS initial placement", () => {
  it("puts a VM's disks in the cluster together on the member least used after them, among those its hosts mount", async () => {
    await pod("gold", { datastores: ["ds-a", "ds-b", "ds-lonely"] });
    await rt.apply(vm("filler", { disks: [{ datastore: "ds-a", sizeGb: 300 }] }));
    // ds-a: 30% + 150 GB = 45%; ds-b: 15%; ds-lonely would be 15% too but no host of prod mounts it.
    await rt.apply(vm("v1", { disks: [inPod(100), { datastore: "ds-c", sizeGb: 5 }, inPod(50)] }));
    const v1 = await getVm("v1");
    expect(v1.status.diskDatastores).toEqual(["ds-b", "ds-c", "ds-b"]);
    expect(v1.status.powerState).toBe("on");
    expect(await usedGb("ds-b")).toBe(150);
    expect(await usedGb("ds-lonely")).toBe(0);
    const ds = (await rt.get("Datastore", "ds-b")) as DatastoreObject;
    expect(ds.status.vms).toEqual(["v1"]);
    // Growing a disk keeps it where it is; the next VM goes to the member now least used.
    await rt.apply(vm("v1", { disks: [inPod(200), { datastore: "ds-c", sizeGb: 5 }, inPod(50)] }));
    expect((await getVm("v1")).status.diskDatastores).toEqual(["ds-b", "ds-c", "ds-b"]);
    expect(await usedGb("ds-b")).toBe(250);
    await rt.apply(vm("v2", { disks: [inPod(10)] }));
    expect((await getVm("v2")).status.diskDatastores).toEqual(["ds-b"]); // 26% against ds-a's 31%
  });

  it("refuses a VM whose disks no member can take together, with each member's reason", async () => {
    await pod("gold", { datastores: ["ds-a", "ds-b", "ds-lonely"] });
    await expectRefusal(
      () => rt.apply(vm("big", { disks: [inPod(600), inPod(600)] })),
      "InsufficientCapacity",
      "disks.0.datastoreCluster",
      "1200 GB",
      "ds-a: 1000 GB free, 1200 GB needed",
      "ds-lonely: no host that could run the VM mounts it",
    );
  });
});

describe("Storage DRS passes", () => {
  /** ds-a at 85% (v1 500 GB, v3 350 GB), ds-b at 20% (v2 200 GB). */
  async function overfill(automationLevel: string): Promise<void> {
    await pod("gold", { datastores: ["ds-a", "ds-b"], storageDrs: { automationLevel, intervalSeconds: 3600 } });
    for (const name of ["v1", "v2", "v3"]) await rt.apply(vm(name, { disks: [inPod(200)] }));
    expect((await Promise.all(["v1", "v2", "v3"].map(getVm))).map((v) => v.status.diskDatastores)).toEqual([["ds-a"], ["ds-b"], ["ds-a"]]);
    await rt.apply(vm("v1", { disks: [inPod(500)] }));
    await rt.apply(vm("v3", { disks: [inPod(350)] }));
    expect((await getPod("gold")).status.usedPercent).toEqual({ "ds-a": 85, "ds-b": 20 });
  }

  it("fullyAutomated: moves a VM's disks off a member over the threshold by storage migration, timed by size over the link", async () => {
    await overfill("fullyAutomated");
    await rt.advance(3600);
    // Largest first: v1's 500 GB to ds-b (70%, under 80% and 15 points below ds-a's 85%).
    const moving = await getVm("v1");
    expect(moving.status.storageMigration).toMatchObject({
      fromDatastore: "ds-a",
      toDatastore: "ds-b",
      sizeGb: 500,
      startedAtSeconds: 3600,
    });
    // 500 GB x 8192 Mbit/GB / 1000 Mbit/s = 4096 s.
    expect(moving.status.storageMigration!.completesAtSeconds).toBeCloseTo(3600 + 4096, 6);
    expect(await usedGb("ds-b")).toBe(700); // the target holds the space from the start
    expect(await usedGb("ds-a")).toBe(850); // the source until the landing
    expect((await rt.checkState()).ok).toBe(true); // usage recomputed from the disks agrees, in flight too
    expect((await getPod("gold")).status.lastMoves).toEqual([
      expect.objectContaining({ vm: "v1", fromDatastore: "ds-a", toDatastore: "ds-b", sizeGb: 500 }),
    ]);
    await rt.advance(4095);
    expect((await getVm("v1")).status.diskDatastores).toEqual(["ds-a"]);
    await rt.advance(1);
    const landed = await getVm("v1");
    expect(landed.status.diskDatastores).toEqual(["ds-b"]);
    expect(landed.status.storageMigration).toBeNull();
    expect(await usedGb("ds-a")).toBe(350);
    expect(await usedGb("ds-b")).toBe(700);
    expect((await rt.checkState()).ok).toBe(true);
    expect(await reasons("VirtualMachine", "v1")).toEqual(
      expect.arrayContaining(["3600 StorageMigrationStarted", "7696 StorageDrsMigrated"]),
    );
    // Both members are under the threshold now: the next passes move nothing.
    await rt.advance(3 * 3600);
    expect((await getVm("v1")).status.diskDatastores).toEqual(["ds-b"]);
    expect((await getVm("v3")).status.diskDatastores).toEqual(["ds-a"]);
  });

  it("refuses changing a VM while its disks move, and a deleted VM gives the target its space back", async () => {
    await overfill("fullyAutomated");
    await rt.advance(3600);
    await expectRefusal(() => rt.apply(vm("v1", { disks: [inPod(510)] })), "Conflict", "VirtualMachine v1", "storage migration");
    await rt.delete("VirtualMachine", "v1");
    expect(await usedGb("ds-a")).toBe(350);
    expect(await usedGb("ds-b")).toBe(200);
    await rt.advance(5000); // the landing's timer finds nothing to land
    expect(await usedGb("ds-b")).toBe(200);
  });

  it("manual: recommends the move in status, once as an event, and moves nothing", async () => {
    await overfill("manual");
    await rt.advance(3 * 3600);
    const gold = await getPod("gold");
    expect(gold.status.recommendations).toEqual([
      expect.objectContaining({ vm: "v1", fromDatastore: "ds-a", toDatastore: "ds-b", sizeGb: 500 }),
    ]);
    expect(gold.status.lastPassSeconds).toBe(3 * 3600);
    expect((await reasons("DatastoreCluster", "gold")).filter((r) => r.endsWith("StorageDrsRecommended"))).toEqual([
      "3600 StorageDrsRecommended",
    ]);
    expect((await getVm("v1")).status.diskDatastores).toEqual(["ds-a"]);
    expect((await getVm("v1")).status.storageMigration ?? null).toBeNull();
  });

  it("moves a powered-off VM's disks only to a member the host it is pinned to mounts", async () => {
    await rt.apply(esxHost("esx3", "prod", { datastores: ["ds-a"] }));
    await pod("gold", { datastores: ["ds-a", "ds-b"], storageDrs: { automationLevel: "fullyAutomated", intervalSeconds: 3600 } });
    await rt.apply(vm("free", { powerState: "off", disks: [inPod(100)] })); // ds-a by name, both empty
    await rt.apply(vm("pinned", { host: "esx3", powerState: "off", disks: [inPod(500)] })); // esx3 mounts only ds-a
    await rt.apply(vm("free", { powerState: "off", disks: [inPod(360)] })); // ds-a: 860 GB, 86%
    expect([(await getVm("free")).status.diskDatastores, (await getVm("pinned")).status.diskDatastores]).toEqual([["ds-a"], ["ds-a"]]);
    await rt.advance(3600);
    // The larger pinned VM comes first but esx3 cannot reach ds-b; the unpinned one goes.
    expect((await getVm("pinned")).status.storageMigration ?? null).toBeNull();
    expect((await getVm("free")).status.storageMigration).toMatchObject({ toDatastore: "ds-b", sizeGb: 360 });
  });

  it("leaves a member over the threshold when no other member could take a VM's disks within it", async () => {
    await pod("gold", { datastores: ["ds-a", "ds-b"], storageDrs: { automationLevel: "fullyAutomated", intervalSeconds: 3600 } });
    await rt.apply(vm("v1", { disks: [inPod(100)] }));
    await rt.apply(vm("v2", { disks: [inPod(100)] }));
    await rt.apply(vm("v1", { disks: [inPod(900)] })); // ds-a 90%; ds-b would be 100%
    await rt.advance(3600);
    expect((await getVm("v1")).status.storageMigration ?? null).toBeNull();
    expect((await getPod("gold")).status).toMatchObject({ lastMoves: [], lastPassSeconds: 3600 });
  });
});

describe("Storage DRS VM anti-affinity rules", () => {
  it("places a VM's disks away from the datastores of the VMs a rule keeps apart from it", async () => {
    await rt.apply(vm("db1", { disks: [{ datastore: "ds-c", sizeGb: 1 }] }));
    await rt.apply(vm("db2", { disks: [{ datastore: "ds-c", sizeGb: 1 }] }));
    await pod("gold", { datastores: ["ds-a", "ds-b"], antiAffinityRules: [{ name: "db-apart", vms: ["db1", "db2"] }] });
    await rt.apply(vm("filler", { disks: [{ datastore: "ds-b", sizeGb: 500 }] }));
    await rt.apply(vm("db1", { disks: [{ datastore: "ds-c", sizeGb: 1 }, inPod(100)] }));
    // db2 would go to the emptier ds-a, but db1's disks are there.
    await rt.apply(vm("db2", { disks: [{ datastore: "ds-c", sizeGb: 1 }, inPod(100)] }));
    expect((await getVm("db1")).status.diskDatastores).toEqual(["ds-c", "ds-a"]);
    expect((await getVm("db2")).status.diskDatastores).toEqual(["ds-c", "ds-b"]);
    expect((await getPod("gold")).status.violations).toEqual([]);
  });

  it("refuses a rule naming a VM that does not exist, a rule without two VMs, and deleting a VM a rule names", async () => {
    await rt.apply(vm("db1"));
    await expectRefusal(
      () => pod("gold", { datastores: ["ds-a"], antiAffinityRules: [{ name: "apart", vms: ["db1", "db9"] }] }),
      "NotFound",
      "antiAffinityRules.0.vms.1",
      "db9",
    );
    await expectRefusal(
      () => pod("gold", { datastores: ["ds-a"], antiAffinityRules: [{ name: "apart", vms: ["db1"] }] }),
      "InvalidSpec",
      "antiAffinityRules.0.vms",
    );
    await rt.apply(vm("db2"));
    await pod("gold", { datastores: ["ds-a"], antiAffinityRules: [{ name: "apart", vms: ["db1", "db2"] }] });
    await expectRefusal(
      () => rt.delete("VirtualMachine", "db2"),
      "Conflict",
      "VirtualMachine db2",
      "DatastoreCluster gold (anti-affinity rule)",
    );
  });

  it("refuses placing a VM when every member with room holds a rule peer's disks, naming why", async () => {
    await rt.apply(vm("db1"));
    await rt.apply(vm("db2"));
    await pod("gold", { datastores: ["ds-a"], antiAffinityRules: [{ name: "apart", vms: ["db1", "db2"] }] });
    await rt.apply(vm("db1", { disks: [inPod(10)] }));
    await expectRefusal(
      () => rt.apply(vm("db2", { disks: [inPod(10)] })),
      "InsufficientCapacity",
      "disks.0.datastoreCluster",
      "ds-a: holds disks of db1 (anti-affinity rule apart)",
    );
  });

  it("shows a rule broken by its creation and corrects it at the next pass, by storage migration", async () => {
    await pod("gold", { datastores: ["ds-a", "ds-b"], storageDrs: { automationLevel: "fullyAutomated", intervalSeconds: 3600 } });
    await rt.apply(vm("db1", { disks: [inPod(100)] }));
    await rt.apply(vm("filler", { disks: [inPod(300)] }));
    await rt.apply(vm("db2", { disks: [inPod(50)] }));
    // db1 on ds-a (tie by name), filler on ds-b, db2 on ds-a (10% + 5% against 30% + 5%).
    expect((await getVm("db2")).status.diskDatastores).toEqual(["ds-a"]);
    await pod("gold", {
      datastores: ["ds-a", "ds-b"],
      storageDrs: { automationLevel: "fullyAutomated", intervalSeconds: 3600 },
      antiAffinityRules: [{ name: "apart", vms: ["db2", "db1"] }],
    });
    expect((await getPod("gold")).status.violations).toEqual([{ rule: "apart", datastore: "ds-a", vms: ["db1", "db2"] }]);
    await rt.advance(3600);
    // The first VM by name stays; db2 goes to ds-b, under the threshold, whatever the space gap.
    expect((await getVm("db2")).status.storageMigration).toMatchObject({ fromDatastore: "ds-a", toDatastore: "ds-b" });
    expect((await getPod("gold")).status.lastMoves[0].reason).toContain("anti-affinity rule apart");
    await rt.advance(3600);
    expect((await getVm("db2")).status.diskDatastores).toEqual(["ds-b"]);
    expect((await getPod("gold")).status.violations).toEqual([]);
  });
});
