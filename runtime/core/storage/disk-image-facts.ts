/**
 * P2V: disks imported from raw disk images. The core reads no files; the runtime's I/O layer reads
 * each `importFrom` image and hands over what it found (DiskImageFacts), which is validated here and
 * kept in the VM's status. An import happens once: a later apply reuses the recorded facts of the same
 * source rather than re-reading a changed file.
 */
import { z } from "zod";
import { DiskImageFacts, type ImportedDisk, type VmSpec } from "../../../schema/virtual-machine";
import { refuse } from "../kernel/errors";

const GIB = 1024 ** 3;
const FactsList = z.array(DiskImageFacts);

/** The imported disks of `spec`, from fresh facts or the ones recorded before; refuses missing or inconsistent ones. */
export function importedDisks(name: string, spec: VmSpec, fresh: unknown, recorded: readonly ImportedDisk[]): ImportedDisk[] {
  const parsed = FactsList.safeParse(fresh ?? []);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    refuse(
      "InvalidSpec",
      { kind: "VirtualMachine", name, field: "disks" },
      `the disk image data handed to the runtime is invalid at ${issue.path.join(".")}: ${issue.message}`,
    );
  }
  return spec.disks.flatMap((disk, index) => {
    if (disk.importFrom === undefined) return [];
    const at = (field: string) => ({ kind: "VirtualMachine", name, field: `disks.${index}.${field}` });
    const same = (d: DiskImageFacts) => d.disk === index && d.source === disk.importFrom;
    const facts = parsed.data.find(same) ?? recorded.find(same);
    if (!facts)
      refuse(
        "InvalidSpec",
        at("importFrom"),
        `image ${disk.importFrom} was not read: apply the VM through the runtime (openRuntime), which reads local image files`,
      );
    const sizeGb = Math.ceil((facts.sizeBytes / GIB) * 1000) / 1000;
    if (disk.sizeGb !== undefined && disk.sizeGb < sizeGb) {
      refuse("InvalidSpec", at("sizeGb"), `${disk.sizeGb} GB is smaller than the imported image ${disk.importFrom} (${sizeGb} GB)`);
    }
    return [{ ...facts, sizeGb }];
  });
}
