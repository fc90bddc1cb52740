/**
 * P2V at the boundary: reads the raw images named by a VM spec's `disks[].importFrom` before the
 * command reaches the core, which gets the facts as data. Paths are relative to the working directory
 * (a Pulumi program's folder). A file that cannot be read or is not a raw image is refused here, naming
 * the VM, the field and the path.
 */
import { resolve } from "node:path";
import type { DiskImageFacts } from "../../schema/virtual-machine";
import { refuse } from "../core/kernel/errors";
import { DiskImageError, readRawDiskImage } from "./raw-disk-image";

const FS_REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a component of the path is not a directory",
  ELOOP: "too many symbolic links",
  EISDIR: "it is a directory, not a disk image file",
  ENAMETOOLONG: "a name in the path is too long for the file system",
};

function reasonOf(e: unknown): string {
  if (e instanceof DiskImageError) return e.message;
  const code = (e as { code?: string }).code;
  if (code && FS_REASONS[code]) return `cannot read it: ${FS_REASONS[code]}`;
  // Anything else the file system says is still a refusal of this path, named by its code.
  return `cannot read it (${typeof code === "string" ? code.slice(0, 32) : "unknown error"})`;
}

/** Facts for every disk of `spec` with `importFrom`; `spec` is the raw input (it is validated later, in the core). */
export async function readDiskImages(name: string, spec: unknown): Promise<DiskImageFacts[]> {
  const disks = (spec as { disks?: unknown }).disks;
  if (!Array.isArray(disks)) return [];
  const facts: DiskImageFacts[] = [];
  for (const [disk, entry] of disks.entries()) {
    const source = (entry as { importFrom?: unknown } | null)?.importFrom;
    if (typeof source !== "string" || source === "") continue;
    const path = resolve(source);
    try {
      facts.push({ disk, source, ...(await readRawDiskImage(path)) });
    } catch (e) {
      const where = path === source ? source : `${source} (${path})`;
      refuse("InvalidSpec", { kind: "VirtualMachine", name, field: `disks.${disk}.importFrom` }, `cannot import ${where}: ${reasonOf(e)}`);
    }
  }
  return facts;
}
