/** Builds raw disk images for P2V tests: zeroed sectors with an optional MBR partition table. */
export interface MbrEntry {
  type: number;
  start: number;
  sectors: number;
  bootable?: boolean;
}

/** An image of `sectors` 512-byte sectors; with entries, sector 0 holds an MBR listing them. */
export function rawImage(sectors: number, entries: MbrEntry[]): Buffer {
  const image = Buffer.alloc(sectors * 512);
  if (entries.length === 0) return image;
  entries.forEach((e, i) => {
    const at = 446 + 16 * i;
    image[at] = e.bootable ? 0x80 : 0x00;
    image[at + 4] = e.type;
    image.writeUInt32LE(e.start, at + 8);
    image.writeUInt32LE(e.sectors, at + 12);
  });
  image[510] = 0x55;
  image[511] = 0xaa;
  return image;
}
