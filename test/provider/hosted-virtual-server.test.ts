/** examples/hosted-virtual-server through Pulumi's real dynamic provider host: hosted overhead, an ISO, and P2V. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostObject, VirtualMachineObject } from "../../runtime";
import { rawImage } from "../support/disk-images";
import { tempDir } from "../support/state-file";
import { type ExampleSession, changedSteps, nameOf, startExample, steps } from "./example-session";
import { REPO_ROOT } from "./program-loader";

let s: ExampleSession;
let imagePath: string;
let cleanup: () => void;

beforeAll(async () => {
  // A small physical disk as `dd` would copy it: an MBR with a bootable NTFS partition.
  const temp = tempDir();
  cleanup = temp.cleanup;
  imagePath = join(temp.dir, "server.img");
  writeFileSync(imagePath, rawImage(8 * 2048, [{ type: 0x07, start: 63, sectors: 16000, bootable: true }]));
  s = await startExample("hosted-virtual-server", { "hosted-virtual-server:p2vImage": imagePath });
});
afterAll(async () => {
  await s?.close();
  cleanup?.();
});

describe("examples/hosted-virtual-server", () => {
  it("preview fails at the disk when the P2V image is not a raw disk image", async () => {
    const result = await s.engine.preview(s.edited('config.get("p2vImage")', `"${join(REPO_ROOT, "package.json")}"`));
    expect(result.errors.map((e) => nameOf(e.urn))).toEqual(["p2v-server"]);
    expect(result.errors[0].failures).toEqual([
      {
        property: "disks.0.importFrom",
        reason: expect.stringMatching(
          /^InvalidSpec: VirtualMachine p2v-server: field disks\.0\.importFrom: cannot import .*package\.json: its \d+ bytes are not a whole number of 512-byte sectors/,
        ),
      },
    ]);
  });

  it("up runs 32-bit guests with Virtual Server's overhead and imports the physical disk", async () => {
    const result = await s.engine.up(s.program());
    expect(result.errors).toEqual([]);
    expect(steps(result)).toEqual(["create build", "create intranet", "create p2v-server", "create vs1", "create vs1-local"]);
    // Barham et al., SOSP 2003, figure 3 (hosted VMware Workstation vs native): SPECweb99 3.45x, Linux build +27%.
    expect(result.outputs).toMatchObject({
      intranetOverheadCpuPercent: 245,
      buildOverheadCpuPercent: 27,
      intranetCdrom: "D:/isos/windows-server-2003-r2.iso",
    });
    expect(result.outputs.p2vDisks).toEqual([
      {
        disk: 0,
        source: imagePath,
        sizeBytes: 8 * 1024 * 1024,
        sizeGb: 0.008,
        partitionTable: "mbr",
        partitions: [{ index: 1, type: 7, typeName: "NTFS/exFAT/HPFS", bootable: true, startSector: 63, sectors: 16000, sizeMb: 7.8 }],
      },
    ]);
    const host = await s.runtimeView(async (rt) => (await rt.get("Host", "vs1")) as HostObject);
    // 500 MHz reserved for intranet plus 245% of it for the hosted I/O path.
    expect(host.status.cpuReservedMhz).toBe(500 + 1225);
    expect(host.status.memoryReservedMb).toBe(3 * 32);
  });

  it("swapping the ISO is an in-place update", async () => {
    const result = await s.engine.up(s.edited("windows-server-2003-r2.iso", "sql-server-2005.iso"));
    expect(result.errors).toEqual([]);
    expect(changedSteps(result)).toEqual(["update intranet"]);
    const vm = await s.runtimeView(async (rt) => (await rt.get("VirtualMachine", "intranet")) as VirtualMachineObject);
    expect(vm.status).toMatchObject({ cdrom: "D:/isos/sql-server-2005.iso", currentHost: "vs1" });
    expect(vm.generation).toBe(2);
  });

  it("destroy removes everything", async () => {
    const result = await s.engine.destroy();
    expect(result.errors).toEqual([]);
    expect(await s.runtimeView((rt) => rt.list("Host"))).toEqual([]);
  });
});
