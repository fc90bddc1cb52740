/** `polyvisor get dsc` and datastore-cluster disks through the compiled CLI in a child process. */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/state-file";

const CLI = resolve(__dirname, "..", "..", "dist", "cli", "main.js");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

function polyvisor(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, "--state", join(tmp.dir, "dc.db"), ...args], { cwd: tmp.dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const DATACENTER = `
kind: Datastore
name: gold-a
spec: { type: fc, capacityGb: 1000 }
---
kind: Datastore
name: gold-b
spec: { type: fc, capacityGb: 1000 }
---
kind: Cluster
name: prod
spec: {}
---
kind: Host
name: esx1
spec:
  cluster: prod
  hypervisor: esx
  memoryMb: 65536
  cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: intel, features: [vmx, ept, lm] }
  datastores: [gold-a, gold-b]
---
kind: DatastoreCluster
name: gold
spec: { datastores: [gold-a, gold-b], storageDrs: { automationLevel: fullyAutomated } }
---
kind: VirtualMachine
name: web1
spec: { cluster: prod, vcpus: 1, memoryMb: 1024, guestOs: linux, disks: [{ datastoreCluster: gold, sizeGb: 300 }] }
`;

describe("polyvisor and datastore clusters", () => {
  it("applies a datastore cluster, lists it with get dsc, and shows where a VM's disks went", () => {
    writeFileSync(join(tmp.dir, "dc.yaml"), DATACENTER);
    expect(polyvisor("apply", "-f", "dc.yaml").code).toBe(0);
    const table = polyvisor("get", "dsc");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+DATASTORES\s+SDRS\s+FREE GB\s+RECOMMENDATIONS/m);
    expect(table.stdout).toMatch(/^gold\s+gold-a,gold-b\s+fullyAutomated\s+1700\s+0$/m);
    const vm = polyvisor("get", "vm", "web1", "-o", "json");
    expect(vm.code).toBe(0);
    expect(JSON.parse(vm.stdout).status.diskDatastores).toEqual(["gold-a"]);
  });

  it("refuses a threshold out of bounds with exit code 1, naming the field", () => {
    writeFileSync(
      join(tmp.dir, "bad.yaml"),
      "kind: DatastoreCluster\nname: gold\nspec: { datastores: [gold-a, gold-b], storageDrs: { spaceThresholdPercent: 40 } }\n",
    );
    const r = polyvisor("apply", "-f", "bad.yaml");
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("storageDrs.spaceThresholdPercent");
    expect(JSON.parse(polyvisor("get", "dsc", "gold", "-o", "json").stdout).spec.storageDrs.spaceThresholdPercent).toBe(80);
  });
});
