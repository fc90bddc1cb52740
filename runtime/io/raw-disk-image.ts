/**
 * Reads what P2V needs from a raw disk image (what `dd if=/dev/sda of=server.img` makes): its size and
 * its MBR partition table when it has one. Container formats (qcow2, VMDK, VDI, VHD) are recognised
 * and refused by name, since their size on disk is not the disk's size.
 */
import { open, stat } from "node:fs/promises";
import type { DiskImageFacts } from "../../schema/virtual-machine";

export const SECTOR = 512;

/** Why a file cannot be imported, in words for the user. */
export class DiskImageError extends Error {}

type Partition = DiskImageFacts["partitions"][number];

const PARTITION_TYPES: Record<number, string> = {
  0x01: "FAT12",
  0x04: "FAT16 (<32 MB)",
  0x05: "extended",
  0x06: "FAT16",
  0x07: "NTFS/exFAT/HPFS",
  0x0b: "FAT32",
  0x0c: "FAT32 (LBA)",
  0x0e: "FAT16 (LBA)",
  0x0f: "extended (LBA)",
  0x65: "NetWare",
  0x82: "Linux swap / Solaris",
  0x83: "Linux",
  0x85: "Linux extended",
  0x8e: "Linux LVM",
  0xa5: "FreeBSD",
  0xa9: "NetBSD",
  0xbf: "Solaris",
  0xee: "GPT protective",
  0xfd: "Linux RAID",
};

/** Signatures of image formats that are not raw disks: [offset, bytes, name]. */
const CONTAINER_SIGNATURES: readonly [number, string, string][] = [
  [0, "QFI\xfb", "qcow/qcow2"],
  [0, "KDMV", "VMDK (sparse)"],
  [0, "# Disk DescriptorFile", "VMDK descriptor"],
  [0x40, "\x7f\x10\xda\xbe", "VirtualBox VDI"],
  [0, "conectix", "VHD (dynamic)"],
  [0, "vhdxfile", "VHDX"],
];

function containerFormat(head: Buffer, tail: Buffer): string | undefined {
  for (const [offset, magic, name] of CONTAINER_SIGNATURES) {
    if (head.subarray(offset, offset + magic.length).equals(Buffer.from(magic, "latin1"))) return name;
  }
  // A fixed VHD is a raw disk followed by a 512-byte footer that starts with "conectix".
  if (tail.subarray(0, 8).toString("latin1") === "conectix") return "VHD (fixed)";
  return undefined;
}

function typeName(type: number): string {
  return PARTITION_TYPES[type] ?? `unknown (0x${type.toString(16).padStart(2, "0")})`;
}

/**
 * The MBR partition table of the first sector, or undefined when the sector is not an MBR (no 0x55AA
 * signature, or boot flags other than 0x00/0x80, as in a filesystem's own boot sector).
 */
export function parseMbr(sector: Buffer, totalSectors: number): { table: "mbr" | "gpt"; partitions: Partition[] } | undefined {
  if (sector.length < SECTOR || sector[510] !== 0x55 || sector[511] !== 0xaa) return undefined;
  const entries = [0, 1, 2, 3].map((i) => sector.subarray(446 + 16 * i, 462 + 16 * i));
  if (entries.some((e) => e[0] !== 0x00 && e[0] !== 0x80)) return undefined;
  const partitions: Partition[] = [];
  entries.forEach((e, i) => {
    const type = e[4];
    if (type === 0) return;
    const startSector = e.readUInt32LE(8);
    const sectors = e.readUInt32LE(12);
    if (sectors === 0)
      throw new DiskImageError(`MBR partition ${i + 1} (type 0x${type.toString(16)}) has no sectors: the partition table is damaged`);
    if (type !== 0xee && startSector + sectors > totalSectors) {
      throw new DiskImageError(
        `MBR partition ${i + 1} ends at sector ${startSector + sectors}, past the end of the image (${totalSectors} sectors): the image is truncated`,
      );
    }
    partitions.push({
      index: i + 1,
      type,
      typeName: typeName(type),
      bootable: e[0] === 0x80,
      startSector,
      sectors,
      sizeMb: Math.round(((sectors * SECTOR) / 1024 / 1024) * 10) / 10,
    });
  });
  if (partitions.some((p) => p.type === 0xee)) return { table: "gpt", partitions: [] };
  return { table: "mbr", partitions };
}

/** Size and partition table of a raw disk image; throws DiskImageError (or a file system error) when it is not one. */
export async function readRawDiskImage(path: string): Promise<Omit<DiskImageFacts, "disk" | "source">> {
  const info = await stat(path);
  if (info.isDirectory()) throw new DiskImageError("it is a directory, not a disk image file");
  if (!info.isFile()) throw new DiskImageError("it is not a regular file (copy the device into an image file first, e.g. with dd)");
  if (info.size === 0) throw new DiskImageError("it is empty");
  const file = await open(path, "r");
  try {
    const head = Buffer.alloc(Math.min(info.size, 4096));
    await file.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(info.size, SECTOR));
    await file.read(tail, 0, tail.length, info.size - tail.length);
    const format = containerFormat(head, tail);
    if (format) throw new DiskImageError(`it is a ${format} image, not a raw disk image; convert it first (qemu-img convert -O raw)`);
    if (info.size % SECTOR !== 0)
      throw new DiskImageError(`its ${info.size} bytes are not a whole number of ${SECTOR}-byte sectors, so it is not a raw disk image`);
    const mbr = parseMbr(head.subarray(0, SECTOR), info.size / SECTOR);
    return { sizeBytes: info.size, partitionTable: mbr?.table ?? "none", partitions: mbr?.partitions ?? [] };
  } finally {
    await file.close();
  }
}
