/**
 * Kernel sharing: a container runs the host's kernel, so its OS template must suit that kernel. Which
 * OS families a container technology runs is data in the hypervisor profile table (`containers`);
 * this module applies it to a host and a template.
 * - One kernel per host: a Virtuozzo host runs Linux or Windows containers, not both at once; the
 *   host's spec may fix its kernel (`containerOsFamily`), else the containers already there decide.
 * - An `lx` branded zone runs a Linux userland on Solaris 10 x86, 32-bit only.
 * - A 64-bit template needs a 64-bit host kernel, hence a CPU with long mode (`lm`).
 */
import type { OsFamily, TemplateSpec } from "../../../schema/template";
import type { ContainerSupport } from "../hypervisors/profiles";

export interface ContainerHostFacts {
  name: string;
  hypervisor: string;
  /** Absent: the host runs no containers (a VM hypervisor). */
  support: ContainerSupport | undefined;
  /** The family the host's kernel is set to, by its spec or by the containers it runs now. */
  kernelFamily: OsFamily | undefined;
  longMode: boolean;
}

export interface TemplateFacts {
  name: string;
  spec: Pick<TemplateSpec, "osFamily" | "arch">;
}

/** How the container runs there: natively, or as an lx branded zone. */
export type Brand = "native" | "lx";

export type KernelVerdict = { ok: true; brand: Brand } | { ok: false; reason: string };

export function kernelVerdict(host: ContainerHostFacts, template: TemplateFacts): KernelVerdict {
  const t = template.spec;
  const what = `host ${host.name} (${host.hypervisor}) cannot run template ${template.name} (${t.osFamily} ${t.arch})`;
  if (!host.support) return { ok: false, reason: `${what}: ${host.hypervisor} runs virtual machines, not containers` };
  if (t.arch === "x86_64" && !host.longMode)
    return { ok: false, reason: `${what}: a 64-bit template needs a 64-bit host kernel, and the host CPU lacks lm` };
  if (host.support.osFamilies.includes(t.osFamily)) {
    if (host.kernelFamily !== undefined && host.kernelFamily !== t.osFamily) {
      return { ok: false, reason: `${what}: the host runs a ${host.kernelFamily} kernel and has one kernel for all its containers` };
    }
    return { ok: true, brand: "native" };
  }
  if (t.osFamily === "linux" && host.support.lxBrand) {
    if (t.arch !== "x86") return { ok: false, reason: `${what}: lx branded zones run 32-bit Linux only` };
    return { ok: true, brand: "lx" };
  }
  return { ok: false, reason: `${what}: ${host.hypervisor} containers share a ${host.support.osFamilies.join(" or ")} kernel` };
}
