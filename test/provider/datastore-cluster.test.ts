/**
 * A DatastoreCluster declared from Pulumi through the real dynamic provider host: a VM's disk naming
 * it is placed on a member (status.diskDatastores), a second run shows no change (placement is status,
 * not drift), and a threshold out of bounds fails preview at the datastore cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatastoreClusterObject } from "../../runtime";
import { PulumiEngine } from "../harness/engine";
import { type ProgramFolder, programFolder, readState } from "./program-loader";

let folder: ProgramFolder;
let engine: PulumiEngine;

const program = (spaceThresholdPercent: number) =>
  folder.load(
    `import * as pv from "polyvisor";
     export = async () => {
       const c = new pv.Cluster("prod", {});
       const ds = ["gold-a", "gold-b"].map((n, i) => new pv.Datastore(n, { type: "fc", capacityGb: 1000 + i * 1000 }));
       const cpu = { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel" as const, features: ["vmx" as const, "ept" as const, "lm" as const] };
       const host = new pv.Host("esx1", { cluster: c.name, hypervisor: "esx", memoryMb: 65536, cpu, datastores: ds.map((d) => d.name) });
       const gold = new pv.DatastoreCluster("gold", { datastores: ds.map((d) => d.name), storageDrs: { spaceThresholdPercent: ${spaceThresholdPercent} } });
       const vm = new pv.VirtualMachine("web1", { cluster: c.name, vcpus: 2, memoryMb: 4096, guestOs: "linux",
         disks: [{ datastoreCluster: gold.name, sizeGb: 100 }, { datastoreCluster: gold.name, sizeGb: 50 }] }, { dependsOn: [host] });
       return { diskDatastores: vm.status.diskDatastores, freeGb: gold.status.freeGb };
     };`,
    `program-${Math.random().toString(36).slice(2)}.js`,
  );

beforeAll(async () => {
  folder = programFolder();
  engine = await PulumiEngine.start({ projectDir: folder.dir, config: { "polyvisor:statePath": folder.statePath } });
});

afterAll(async () => {
  await engine?.close();
  folder?.remove();
});

describe("DatastoreCluster through the provider", () => {
  it("places the VM's disks together on the member least used after them, then shows no change", async () => {
    const result = await engine.up(program(80));
    expect(result.errors).toEqual([]);
    // gold-b (2000 GB) ends at 7.5%, gold-a (1000 GB) would be at 15%.
    // The datastore cluster's outputs are as it was created, before the VM; the runtime has it now.
    expect(result.outputs).toMatchObject({ diskDatastores: ["gold-b", "gold-b"], freeGb: 3000 });
    const gold = await readState(folder.statePath, async (rt) => (await rt.get("DatastoreCluster", "gold")) as DatastoreClusterObject);
    expect(gold.status).toMatchObject({ freeGb: 2850, usedPercent: { "gold-a": 0, "gold-b": 7.5 } });
    const again = await engine.preview(program(80));
    expect(new Set(again.steps.map((s) => s.op))).toEqual(new Set(["same"]));
  });

  it("updates the threshold in place", async () => {
    const result = await engine.up(program(90));
    expect(result.errors).toEqual([]);
    expect(result.steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`)).toEqual(["update gold"]);
    const gold = await readState(folder.statePath, async (rt) => (await rt.get("DatastoreCluster", "gold")) as DatastoreClusterObject);
    expect(gold.spec.storageDrs.spaceThresholdPercent).toBe(90);
  });

  it("fails preview at the datastore cluster for a threshold out of bounds", async () => {
    const result = await engine.preview(program(101));
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].urn).toMatch(/::gold$/);
    expect(result.errors[0].message).toContain("storageDrs.spaceThresholdPercent");
  });
});
