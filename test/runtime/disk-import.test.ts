/** P2V: raw disk images read at the boundary (size, MBR), refused clearly when they are not images; disk backends; ISO cdrom. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Runtime, openRuntime } from "../../runtime";
import type { VirtualMachineObject } from "../../runtime";
import { readRawDiskImage } from "../../runtime/io/raw-disk-image";
import { execute } from "../../runtime/core/commands";
import { createWorld } from "../../runtime/core/world-setup";
import { datastore, esxHost } from "../support/fixtures";
import { rawImage } from "../support/disk-images";
import { tempDir } from "../support/state-file";

let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
});
afterAll(() => cleanup());

const file = (name: string, content: Buffer | string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe("reading a raw disk image", () => {
  it("reads the size and the MBR partitions, boot flag and types", async () => {
    // MBR layout (IBM PC): four 16-byte entries at offset 446, boot flag 0x80, type at +4, LBA start at
    // +8 and sector count at +12 (little-endian), signature 0x55AA at 510.
    const path = file(
      "server.img",
      rawImage(8 * 2048, [
        { type: 0x83, start: 2048, sectors: 4096, bootable: true },
        { type: 0x82, start: 6144, sectors: 2048 },
      ]),
    );
    expect(await readRawDiskImage(path)).toEqual({
      sizeBytes: 8 * 1024 * 1024,
      partitionTable: "mbr",
      partitions: [
        { index: 1, type: 0x83, typeName: "Linux", bootable: true, startSector: 2048, sectors: 4096, sizeMb: 2 },
        { index: 2, type: 0x82, typeName: "Linux swap / Solaris", bootable: false, startSector: 6144, sectors: 2048, sizeMb: 1 },
      ],
    });
  });

  it("reports no partition table for a bare filesystem image or a volume boot sector, and GPT behind a protective MBR", async () => {
    expect((await readRawDiskImage(file("zeros.img", Buffer.alloc(4096)))).partitionTable).toBe("none");
    const vbr = Buffer.alloc(4096, 0x20);
    vbr[510] = 0x55;
    vbr[511] = 0xaa;
    expect((await readRawDiskImage(file("fat.img", vbr))).partitionTable).toBe("none");
    expect(await readRawDiskImage(file("gpt.img", rawImage(4096, [{ type: 0xee, start: 1, sectors: 4095 }])))).toMatchObject({
      partitionTable: "gpt",
      partitions: [],
    });
  });

  it("refuses what is not a raw disk image, saying why", async () => {
    const reason = (path: string) =>
      readRawDiskImage(path).then(
        () => "read",
        (e: Error) => e.message,
      );
    expect(await reason(file("notes.txt", "not a disk\n"))).toBe(
      "its 11 bytes are not a whole number of 512-byte sectors, so it is not a raw disk image",
    );
    const qcow = Buffer.alloc(4096);
    qcow.write("QFI\xfb", 0, "latin1");
    expect(await reason(file("disk.qcow2", qcow))).toBe(
      "it is a qcow/qcow2 image, not a raw disk image; convert it first (qemu-img convert -O raw)",
    );
    const vhd = Buffer.alloc(8192);
    vhd.write("conectix", 8192 - 512, "latin1");
    expect(await reason(file("fixed.vhd", vhd))).toContain("it is a VHD (fixed) image");
    expect(await reason(file("truncated.img", rawImage(2048, [{ type: 0x83, start: 2048, sectors: 4096 }])))).toBe(
      "MBR partition 1 ends at sector 6144, past the end of the image (2048 sectors): the image is truncated",
    );
    expect(await reason(file("empty.img", ""))).toBe("it is empty");
    mkdirSync(join(dir, "folder.img"));
    expect(await reason(join(dir, "folder.img"))).toBe("it is a directory, not a disk image file");
  });
});

describe("importing a disk through the runtime", () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await openRuntime({ path: ":memory:" });
    await rt.apply(datastore("local", "local", 100));
    await rt.apply(esxHost("esx1", null, { datastores: ["local"] }));
  });
  afterAll(() => rt.close());

  const p2v = (name: string, disk: Record<string, unknown>) => ({
    kind: "VirtualMachine" as const,
    name,
    spec: { host: "esx1", vcpus: 1, memoryMb: 1024, guestOs: "linux", guestArch: "x86", disks: [disk] },
  });

  it("takes the disk's size from the image and reports its partitions in status and in an event", async () => {
    const path = file("p2v.img", rawImage(16 * 2048, [{ type: 0x83, start: 2048, sectors: 30720, bootable: true }]));
    const vm = (await rt.apply(p2v("legacy", { datastore: "local", importFrom: path }))) as VirtualMachineObject;
    expect(vm.status.importedDisks).toEqual([
      {
        disk: 0,
        source: path,
        sizeBytes: 16 * 1024 * 1024,
        sizeGb: 0.016,
        partitionTable: "mbr",
        partitions: [{ index: 1, type: 0x83, typeName: "Linux", bootable: true, startSector: 2048, sectors: 30720, sizeMb: 15 }],
      },
    ]);
    const imported = (await rt.events()).find((e) => e.reason === "DiskImported")!;
    expect(imported.message).toBe(`disk 0 imported from ${path}: 16777216 bytes (0.016 GB), partition table mbr: 1 Linux 15 MB (boot)`);
    // Without a declared size, the disk takes the image's size on its datastore.
    expect((await rt.get("Datastore", "local"))!.status).toMatchObject({ usedGb: 0.016, vms: ["legacy"] });
  });

  it("refuses a declared size smaller than the image, naming the field", async () => {
    const path = file("big.img", rawImage(4 * 2048, []));
    const error = await rt.apply(p2v("small", { datastore: "local", importFrom: path, sizeGb: 0.001 })).catch((e) => e);
    expect(error.code).toBe("InvalidSpec");
    expect(error.message).toBe(
      `InvalidSpec: VirtualMachine small: field disks.0.sizeGb: 0.001 GB is smaller than the imported image ${path} (0.004 GB)`,
    );
  });

  it("refuses an unreadable or non-image file, naming the VM, the field and the path", async () => {
    const missing = join(dir, "nowhere.img");
    await expect(rt.apply(p2v("ghost", { datastore: "local", importFrom: missing }))).rejects.toMatchObject({
      code: "InvalidSpec",
      message: `InvalidSpec: VirtualMachine ghost: field disks.0.importFrom: cannot import ${missing}: cannot read it: no such file`,
    });
    const text = file("readme.txt", "hello");
    await expect(rt.apply(p2v("ghost", { datastore: "local", importFrom: text }))).rejects.toMatchObject({
      message: expect.stringContaining(`field disks.0.importFrom: cannot import ${text}`),
    });
    expect(await rt.get("VirtualMachine", "ghost")).toBeUndefined();
  });

  it("the core refuses an import whose image was not read, since it reads no files itself", () => {
    const world = createWorld({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 });
    world.applyChanges(execute(world, { type: "apply", ...esxHost("esx1", null), mode: "upsert" }).changes);
    expect(() =>
      execute(world, { type: "apply", ...p2v("direct", { datastore: "local", importFrom: "/tmp/x.img" }), mode: "upsert" }),
    ).toThrow(/field disks\.0\.importFrom: image \/tmp\/x\.img was not read/);
    expect(() =>
      execute(world, {
        type: "apply",
        ...p2v("direct", { datastore: "local", importFrom: "/tmp/x.img" }),
        mode: "upsert",
        inputs: { diskImages: [{ disk: 0, source: "/tmp/x.img", sizeBytes: -1 }] },
      }),
    ).toThrow(/field disks: the disk image data handed to the runtime is invalid at 0\.sizeBytes/);
  });
});

describe("disk backends", () => {
  const spec = (disk: Record<string, unknown>) => ({ host: "esx1", vcpus: 1, memoryMb: 512, guestOs: "linux", disks: [disk] });
  const problem = async (disk: Record<string, unknown>) => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(datastore("local", "local"));
    await rt.apply(datastore("nas", "nfs"));
    await rt.apply(esxHost("esx1", null, { datastores: ["local", "nas"] }));
    const outcome = await rt.apply({ kind: "VirtualMachine", name: "xen1", spec: spec(disk) }).then(
      () => "accepted",
      (e: Error) => e.message,
    );
    await rt.close();
    return outcome;
  };

  it("accepts Xen's three backends and refuses a path that does not fit its kind", async () => {
    // Xen disk backends: file: (an image file), phy: a partition or a whole drive or array.
    expect(await problem({ datastore: "local", sizeGb: 8, backend: "image", path: "/var/lib/xen/images/xen1.img" })).toBe("accepted");
    expect(await problem({ datastore: "local", sizeGb: 8, backend: "partition", path: "/dev/sda5" })).toBe("accepted");
    expect(await problem({ datastore: "local", sizeGb: 8, backend: "device", path: "/dev/md0" })).toBe("accepted");
    expect(await problem({ datastore: "local", sizeGb: 8, backend: "partition", path: "/dev/sdb" })).toContain(
      "field disks.0.path: /dev/sdb names a whole device, not a partition (e.g. /dev/sda5); use backend device",
    );
    expect(await problem({ datastore: "local", sizeGb: 8, backend: "device", path: "/dev/nvme0n1p2" })).toContain(
      "names a partition, not a whole device",
    );
    expect(await problem({ datastore: "local", sizeGb: 8, backend: "image", path: "/dev/sda" })).toContain(
      "an image backend is a file, not a device",
    );
    expect(await problem({ datastore: "local", sizeGb: 8, backend: "image" })).toContain(
      "field disks.0.path: backend and path go together",
    );
    expect(await problem({ datastore: "local" })).toContain(
      "field disks.0.sizeGb: sizeGb is required unless the disk is imported from an image (importFrom)",
    );
    // A partition or a device is block storage: an NFS datastore holds files.
    expect(await problem({ datastore: "nas", sizeGb: 8, backend: "image", path: "/srv/xen/images/xen1.img" })).toBe("accepted");
    expect(await problem({ datastore: "nas", sizeGb: 8, backend: "partition", path: "/dev/sda5" })).toContain(
      "InvalidSpec: VirtualMachine xen1: field disks.0.backend: datastore nas is NFS, which holds files; a partition backend is a block device",
    );
  });
});

describe("ISO images in the CD drive", () => {
  it("mounts, swaps and ejects in place: same host, new generation, an event each", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    await rt.apply(esxHost("esx1", null));
    const vm = (cdrom?: string) => ({
      kind: "VirtualMachine" as const,
      name: "vs1",
      spec: { host: "esx1", vcpus: 1, memoryMb: 512, guestOs: "windows", guestArch: "x86", ...(cdrom ? { cdrom } : {}) },
    });
    await rt.apply(vm());
    const mounted = (await rt.apply(vm("/isos/win2003-sp2.iso"))) as VirtualMachineObject;
    expect(mounted.status).toMatchObject({ cdrom: "/isos/win2003-sp2.iso", currentHost: "esx1", migrations: 0 });
    expect(mounted.generation).toBe(2);
    await rt.apply(vm("/isos/tools.ISO"));
    await rt.apply(vm());
    const events = (await rt.events()).filter((e) => e.reason.startsWith("Cdrom")).map((e) => `${e.reason}: ${e.message}`);
    expect(events).toEqual([
      "CdromMounted: ISO /isos/win2003-sp2.iso mounted in the CD drive",
      "CdromMounted: ISO /isos/tools.ISO mounted in the CD drive (replacing /isos/win2003-sp2.iso)",
      "CdromEjected: ISO /isos/tools.ISO ejected from the CD drive",
    ]);
    await expect(rt.apply(vm("/isos/readme.txt"))).rejects.toMatchObject({
      message: expect.stringContaining("field cdrom: must name an ISO image"),
    });
    await rt.close();
  });
});
