/** Datastores: capacity accounting for VM disks, visibility from hosts, local storage pinning VMs to its host. */
import { beforeEach, describe, expect, it } from "vitest";
import { type DatastoreObject, type Runtime, type VirtualMachineObject, openRuntime } from "../../runtime";
import { cluster, datastore, esxHost, vm } from "../support/fixtures";

let rt: Runtime;
beforeEach(async () => {
  rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod"));
  await rt.apply(datastore("san", "fc", 1000));
  await rt.apply(datastore("local1", "local", 200));
  await rt.apply(esxHost("esx1", "prod", { datastores: ["san", "local1"] }));
  await rt.apply(esxHost("esx2", "prod", { datastores: ["san"] }));
  await rt.apply(esxHost("esx3"));
});

const ds = async (name: string) => (await rt.get("Datastore", name)) as DatastoreObject;
const hostOf = async (name: string) => ((await rt.get("VirtualMachine", name)) as VirtualMachineObject).status.currentHost;
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error & { code: string }) => e,
  );

describe("datastore capacity", () => {
  it("charges disks whether the VM runs or not, and releases them on delete", async () => {
    await rt.apply(
      vm("a", {
        disks: [
          { datastore: "san", sizeGb: 100 },
          { datastore: "san", sizeGb: 50.5 },
        ],
      }),
    );
    await rt.apply(vm("b", { powerState: "off", disks: [{ datastore: "san", sizeGb: 200 }] }));
    expect((await ds("san")).status).toMatchObject({
      usedGb: 350.5,
      freeGb: 649.5,
      vms: ["a", "b"],
      hosts: ["esx1", "esx2"],
      shared: true,
    });
    await rt.apply(vm("a", { disks: [{ datastore: "san", sizeGb: 100 }] }));
    expect((await ds("san")).status.usedGb).toBe(300);
    await rt.delete("VirtualMachine", "b");
    expect((await ds("san")).status).toMatchObject({ usedGb: 100, freeGb: 900, vms: ["a"] });
  });

  it("refuses a disk that does not fit, naming the datastore and the arithmetic", async () => {
    await rt.apply(vm("a", { disks: [{ datastore: "san", sizeGb: 900 }] }));
    const e = await refusal(
      rt.apply(
        vm("b", {
          disks: [
            { datastore: "local1", sizeGb: 10 },
            { datastore: "san", sizeGb: 150 },
          ],
        }),
      ),
    );
    expect(e?.code).toBe("InsufficientCapacity");
    expect(e?.message).toContain(
      "VirtualMachine b: field disks.1.sizeGb: datastore san has 100 GB free of 1000 GB; the VM's disks there need 150 GB more (150 GB in all)",
    );
    expect((await ds("local1")).status.usedGb).toBe(0);
  });

  it("refuses a disk on a datastore that does not exist", async () => {
    const e = await refusal(rt.apply(vm("a", { disks: [{ datastore: "nas9", sizeGb: 1 }] })));
    expect(e?.message).toContain("NotFound: VirtualMachine a: field disks.0.datastore: Datastore nas9 does not exist");
  });

  it("refuses shrinking a datastore below its disks and deleting one in use", async () => {
    await rt.apply(vm("a", { disks: [{ datastore: "san", sizeGb: 600 }] }));
    const shrink = await refusal(rt.apply(datastore("san", "fc", 500)));
    expect(shrink?.message).toContain(
      "InsufficientCapacity: Datastore san: field capacityGb: VM disks use 600 GB of it; the new capacity is 500 GB",
    );
    const del = await refusal(rt.delete("Datastore", "san"));
    expect(del?.code).toBe("Conflict");
    expect(del?.message).toMatch(/Host esx1 \(mounts it\)[\s\S]*VirtualMachine a \(disks\)/);
  });
});

describe("datastore visibility", () => {
  it("places a VM only on hosts that mount all its datastores", async () => {
    await rt.apply(vm("shared", { disks: [{ datastore: "san", sizeGb: 10 }] }));
    expect(["esx1", "esx2"]).toContain(await hostOf("shared"));
    await rt.apply(
      vm("pinned-by-disk", {
        disks: [
          { datastore: "san", sizeGb: 10 },
          { datastore: "local1", sizeGb: 10 },
        ],
      }),
    );
    expect(await hostOf("pinned-by-disk")).toBe("esx1");
  });

  it("refuses a VM no host can see, naming the datastore per host", async () => {
    await rt.apply(esxHost("esx1", "prod", { datastores: ["san", "local1"], maintenance: true }));
    const e = await refusal(rt.apply(vm("x", { disks: [{ datastore: "local1", sizeGb: 10 }] })));
    expect(e?.code).toBe("InsufficientCapacity");
    expect(e?.message).toContain("esx1: host is maintenance");
    expect(e?.message).toContain("esx2: does not mount datastore local1 (the VM has disks there)");
    expect(e?.message).toContain("esx3: does not mount datastore local1 (the VM has disks there)");
  });

  it("keeps local storage to one host", async () => {
    const e = await refusal(rt.apply(esxHost("esx2", "prod", { datastores: ["san", "local1"] })));
    expect(e?.message).toContain("Conflict: Host esx2: field datastores.1: datastore local1 is local storage of host esx1");
    const t = await refusal(rt.apply(datastore("san", "local", 1000)));
    expect(t?.message).toContain(
      "Conflict: Datastore san: field type: a local datastore belongs to one host, and 2 hosts mount it (esx1, esx2)",
    );
  });

  it("refuses a host mount of an unknown datastore and unmounting storage its running VMs use", async () => {
    const unknown = await refusal(rt.apply(esxHost("esx3", "prod", { datastores: ["nas9"] })));
    expect(unknown?.message).toContain("NotFound: Host esx3: field datastores.0: Datastore nas9 does not exist");
    await rt.apply(vm("a", { host: "esx2", disks: [{ datastore: "san", sizeGb: 10 }] }));
    const unmount = await refusal(rt.apply(esxHost("esx2", "prod", { datastores: [] })));
    expect(unmount?.message).toContain("Conflict: Host esx2: field datastores: running VMs have disks on san");
    expect(unmount?.message).toContain("a (disks on san)");
  });

  it("refuses a running VM a disk its host cannot see; placed again, it goes where it can", async () => {
    await rt.apply(vm("load", { host: "esx1" }));
    await rt.apply(vm("m", { disks: [{ datastore: "san", sizeGb: 10 }] }));
    expect(await hostOf("m")).toBe("esx2");
    const disks = [
      { datastore: "san", sizeGb: 10 },
      { datastore: "local1", sizeGb: 5 },
    ];
    const e = await refusal(rt.apply(vm("m", { disks })));
    expect(e?.code).toBe("Incompatible");
    expect(e?.message).toContain("the change does not fit esx2, where the VM runs; power it off to place it again");
    expect(e?.message).toContain("esx2: does not mount datastore local1 (the VM has disks there)");
    await rt.apply(vm("m", { disks, powerState: "off" }));
    await rt.apply(vm("m", { disks }));
    expect(await hostOf("m")).toBe("esx1");
  });
});
