/**
 * Every hypervisor profile x guest (OS x architecture) x requested mode x CPU (vendor x feature set)
 * combination, checked against expectations written here from the products' documentation, not read
 * from the runtime's profile table: the resolved mode and paging, or the exact set of obstacle codes.
 */
import { describe, expect, it } from "vitest";
import { HYPERVISOR_VERSIONS, HostSpec, type Hypervisor } from "../../schema/host";
import { GuestOs, VmSpec } from "../../schema/virtual-machine";
import { resolveVirtualization } from "../../runtime/core/guests/guest-compatibility";
import { openRuntime } from "../../runtime";
import type { VirtualMachineObject } from "../../runtime";

type Mode = "full" | "paravirtual" | "hardware";
type Arch = "x86" | "x86_64";

interface Expectation {
  /** Container-only products run no VM at all. */
  vms: boolean;
  archs: Arch[];
  /** The order `auto` tries the modes in. */
  auto: Mode[];
  /** Guest architectures hardware assistance is used for. */
  hardwareFor: Arch[];
  paravirtual: GuestOs[];
  nestedPaging: boolean;
  requiresNestedPaging: boolean;
}

const BOTH: Arch[] = ["x86", "x86_64"];
const XEN_PV: GuestOs[] = ["linux", "netbsd", "freebsd", "solaris"];
const CONTAINERS: Expectation = {
  vms: false,
  archs: [],
  auto: [],
  hardwareFor: [],
  paravirtual: [],
  nestedPaging: false,
  requiresNestedPaging: false,
};

const EXPECTED: Record<string, Expectation> = {
  // ESX 3.0 runs guests by binary translation and uses VT-x for 64-bit guests only (Adams & Agesen,
  // ASPLOS 2006; VI3 documentation); no nested paging before ESX 3.5/4.0.
  "esx 3.0": {
    vms: true,
    archs: BOTH,
    auto: ["full", "hardware"],
    hardwareFor: ["x86_64"],
    paravirtual: [],
    nestedPaging: false,
    requiresNestedPaging: false,
  },
  // ESX 4.0 monitor defaults: VT-x/AMD-V (+ EPT/RVI) where present, BT otherwise ("Virtual Machine
  // Monitor Execution Modes in VMware vSphere 4.0").
  "esx 4.0": {
    vms: true,
    archs: BOTH,
    auto: ["hardware", "full"],
    hardwareFor: BOTH,
    paravirtual: [],
    nestedPaging: true,
    requiresNestedPaging: false,
  },
  // ESXi 8.0: hardware virtualization required.
  "esx 8.0": {
    vms: true,
    archs: BOTH,
    auto: ["hardware"],
    hardwareFor: BOTH,
    paravirtual: [],
    nestedPaging: true,
    requiresNestedPaging: false,
  },
  // Virtual Server 2005 R2: hosted, software virtualization, 32-bit guests only.
  "virtualServer 2005R2": {
    vms: true,
    archs: ["x86"],
    auto: ["full"],
    hardwareFor: [],
    paravirtual: [],
    nestedPaging: false,
    requiresNestedPaging: false,
  },
  // Xen 3.0: PV for ported kernels, HVM on VT-x/AMD-V with shadow paging (Barham et al., SOSP 2003; Xen 3.0 release).
  "xen 3.0": {
    vms: true,
    archs: BOTH,
    auto: ["paravirtual", "hardware"],
    hardwareFor: BOTH,
    paravirtual: XEN_PV,
    nestedPaging: false,
    requiresNestedPaging: false,
  },
  // Xen 4.0: as 3.0, with hardware-assisted paging (HAP) on EPT/NPT.
  "xen 4.0": {
    vms: true,
    archs: BOTH,
    auto: ["paravirtual", "hardware"],
    hardwareFor: BOTH,
    paravirtual: XEN_PV,
    nestedPaging: true,
    requiresNestedPaging: false,
  },
  // KVM requires VT-x or AMD-V (linux-kvm.org) and uses EPT/NPT.
  "kvm current": {
    vms: true,
    archs: BOTH,
    auto: ["hardware"],
    hardwareFor: BOTH,
    paravirtual: [],
    nestedPaging: true,
    requiresNestedPaging: false,
  },
  // Hyper-V (2008) requires hardware-assisted virtualization; SLAT came with 2008 R2.
  "hyperv 2008": {
    vms: true,
    archs: BOTH,
    auto: ["hardware"],
    hardwareFor: BOTH,
    paravirtual: [],
    nestedPaging: false,
    requiresNestedPaging: false,
  },
  // Windows Server 2016 Hyper-V requires SLAT (EPT/NPT).
  "hyperv 2016": {
    vms: true,
    archs: BOTH,
    auto: ["hardware"],
    hardwareFor: BOTH,
    paravirtual: [],
    nestedPaging: true,
    requiresNestedPaging: true,
  },
  "openvz 2.6.18": CONTAINERS,
  "virtuozzo 3.5": CONTAINERS,
  "zones 10": CONTAINERS,
};

interface Cpu {
  vendor: "intel" | "amd";
  assist: boolean;
  nested: boolean;
  lm: boolean;
}

function cpuFeatures(c: Cpu): string[] {
  const [assist, nested] = c.vendor === "intel" ? ["vmx", "ept"] : ["svm", "npt"];
  return [...(c.assist ? [assist] : []), ...(c.nested ? [nested] : []), ...(c.lm ? ["lm"] : [])];
}

type Outcome = { mode: Mode; paging: "shadow" | "nested" | "direct" } | { refused: string[] };

/** The expected outcome, from the expectations above and the rules of the technologies. */
function expected(e: Expectation, os: GuestOs, arch: Arch, requested: Mode | "auto", cpu: Cpu): Outcome {
  if (!e.vms) return { refused: ["containersOnly"] };
  const blocking: string[] = [];
  if (!e.archs.includes(arch)) blocking.push("guestArchUnsupported");
  if (arch === "x86_64" && !cpu.lm) blocking.push("hostNot64Bit");
  if (e.requiresNestedPaging && !cpu.nested) blocking.push("nestedPagingRequired");
  const problems: string[] = [];
  for (const mode of requested === "auto" ? e.auto : [requested]) {
    const missing: string[] = [];
    if (!e.auto.includes(mode)) missing.push("modeNotOffered");
    else if (mode === "hardware") {
      if (!cpu.assist) missing.push("noHardwareAssist");
      if (!e.hardwareFor.includes(arch)) missing.push("hardwareAssistNotFor32Bit");
    } else if (mode === "paravirtual") {
      if (!e.paravirtual.includes(os)) missing.push("noParavirtualKernel");
    } else if (arch === "x86_64" && cpu.vendor === "intel") {
      // Intel's long mode has no segment limits, which binary translation needs (Adams & Agesen 2006).
      missing.push("binaryTranslationNo64BitIntel");
    }
    // A mode that would do but for the host: the refusal gives the host's reasons only.
    if (missing.length === 0 && blocking.length > 0) return { refused: [...blocking].sort() };
    if (missing.length === 0) {
      const paging = mode === "paravirtual" ? "direct" : mode === "hardware" && e.nestedPaging && cpu.nested ? "nested" : "shadow";
      return { mode, paging };
    }
    problems.push(...missing);
  }
  return { refused: [...blocking, ...problems].sort() };
}

function host(hypervisor: Hypervisor, version: string, cpu: Cpu): HostSpec {
  return HostSpec.parse({
    hypervisor,
    hypervisorVersion: version,
    cpu: { sockets: 2, coresPerSocket: 4, mhz: 2000, vendor: cpu.vendor, features: cpuFeatures(cpu) },
    memoryMb: 65536,
  });
}

function guest(os: GuestOs, arch: Arch, virtualization: Mode | "auto"): VmSpec {
  return VmSpec.parse({ host: "h", vcpus: 1, memoryMb: 1024, guestOs: os, guestArch: arch, virtualization });
}

const CPUS: Cpu[] = (["intel", "amd"] as const).flatMap((vendor) =>
  [false, true].flatMap((assist) => [false, true].flatMap((nested) => [false, true].map((lm) => ({ vendor, assist, nested, lm })))),
);

describe("compatibility matrix", () => {
  it("has an expectation for every profile the runtime offers", () => {
    const offered = (Object.keys(HYPERVISOR_VERSIONS) as Hypervisor[]).flatMap((h) => HYPERVISOR_VERSIONS[h].map((v) => `${h} ${v}`));
    expect(offered.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it("resolves or refuses every profile x guest x mode x CPU combination as expected", () => {
    const mismatches: string[] = [];
    let cases = 0;
    for (const [profile, e] of Object.entries(EXPECTED)) {
      const [hypervisor, version] = profile.split(" ") as [Hypervisor, string];
      for (const cpu of CPUS) {
        const h = host(hypervisor, version, cpu);
        for (const os of GuestOs.options) {
          for (const arch of ["x86", "x86_64"] as const) {
            for (const mode of ["auto", "full", "paravirtual", "hardware"] as const) {
              cases++;
              const verdict = resolveVirtualization(h, guest(os, arch, mode));
              const actual: Outcome = verdict.ok
                ? { mode: verdict.resolution.mode, paging: verdict.resolution.paging }
                : { refused: verdict.obstacles.map((o) => o.code).sort() };
              const want = expected(e, os, arch, mode, cpu);
              if (JSON.stringify(actual) !== JSON.stringify(want)) {
                mismatches.push(
                  `${profile} ${cpu.vendor} [${cpuFeatures(cpu)}] ${os}/${arch} ${mode}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(want)}`,
                );
              }
            }
          }
        }
      }
    }
    expect(cases).toBe(12 * 16 * 6 * 2 * 4);
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

describe("guest limits per release", () => {
  const intel = (cores = 8) => ({ sockets: 1, coresPerSocket: cores, mhz: 2000, vendor: "intel", features: ["vmx", "ept", "lm"] });
  const verdictFor = (hypervisor: Hypervisor, version: string, vm: Record<string, unknown>, cores = 8) =>
    resolveVirtualization(
      HostSpec.parse({ hypervisor, hypervisorVersion: version, cpu: intel(cores), memoryMb: 1 << 20 }),
      VmSpec.parse({ host: "h", guestOs: "linux", vcpus: 1, memoryMb: 1024, ...vm }),
    );
  const codes = (v: ReturnType<typeof verdictFor>) => (v.ok ? v.resolution.mode : v.obstacles.map((o) => o.code));

  it("a refusal says only the reasons that apply: a mode that would run the guest but for the host leaves the other modes out", () => {
    // 16 vCPUs on a 4-core host with VT-x: hardware mode would run the 64-bit guest, so binary
    // translation's 64-bit limit on Intel is no reason here; the cores are.
    expect(codes(verdictFor("esx", "8.0", { vcpus: 16 }, 4))).toEqual(["tooManyVcpusForHost"]);
  });

  it("ESX 3.0: 4 vCPUs and 16 GB per guest; ESX 8.0 lifts both", () => {
    // Configuration Maximums for VMware Infrastructure 3: 4 virtual CPUs, 16 GB of RAM per virtual machine.
    expect(codes(verdictFor("esx", "3.0", { vcpus: 4, memoryMb: 16384 }))).toBe("hardware");
    expect(codes(verdictFor("esx", "3.0", { vcpus: 5 }))).toEqual([
      "binaryTranslationNo64BitIntel",
      "tooManyVcpusForProduct",
      "tooManyVcpusForProduct",
    ]);
    // Hardware mode would run it but for the memory limit, so binary translation's 64-bit limit is not a reason.
    expect(codes(verdictFor("esx", "3.0", { memoryMb: 16385 }))).toEqual(["tooMuchMemoryForProduct"]);
    // vSphere 8.0 Configuration Maximums: 768 vCPUs, 24 TB per virtual machine.
    expect(codes(verdictFor("esx", "8.0", { vcpus: 8, memoryMb: 65536 }))).toBe("hardware");
  });

  it("Virtual Server 2005 R2: one vCPU and 3.6 GB per guest", () => {
    // Virtual Server 2005 R2 Administrator's Guide: up to 3.6 GB of RAM per virtual machine.
    expect(codes(verdictFor("virtualServer", "2005R2", { guestArch: "x86", memoryMb: 3686 }))).toBe("full");
    expect(codes(verdictFor("virtualServer", "2005R2", { guestArch: "x86", memoryMb: 3687, vcpus: 2 }))).toEqual([
      "tooMuchMemoryForProduct",
      "tooManyVcpusForProduct",
    ]);
  });

  it("Xen: 32 vCPUs per guest in 3.0; 128 per HVM guest in 4.0, where auto keeps PV guests paravirtual beyond it", () => {
    // xen/include/public/arch-x86_32.h: MAX_VIRT_CPUS 32; xen/include/public/hvm/hvm_info_table.h: HVM_MAX_VCPUS 128.
    expect(codes(verdictFor("xen", "3.0", { vcpus: 33 }, 64))).toEqual(["tooManyVcpusForProduct", "tooManyVcpusForProduct"]);
    expect(codes(verdictFor("xen", "4.0", { vcpus: 129 }, 256))).toBe("paravirtual");
    expect(codes(verdictFor("xen", "4.0", { vcpus: 129, guestOs: "windows" }, 256))).toEqual([
      "noParavirtualKernel",
      "tooManyVcpusForProduct",
    ]);
  });

  it("Hyper-V 2008: 4 vCPUs and 64 GB per guest; 2016 needs SLAT", () => {
    expect(codes(verdictFor("hyperv", "2008", { vcpus: 5 }))).toEqual(["tooManyVcpusForProduct"]);
    const noSlat = resolveVirtualization(
      HostSpec.parse({
        hypervisor: "hyperv",
        hypervisorVersion: "2016",
        cpu: { sockets: 1, coresPerSocket: 8, mhz: 2000, vendor: "amd", features: ["svm", "lm"] },
        memoryMb: 65536,
      }),
      VmSpec.parse({ host: "h", guestOs: "windows", vcpus: 1, memoryMb: 1024 }),
    );
    expect(noSlat.ok ? "ran" : noSlat.obstacles.map((o) => o.text)).toEqual(["hyperv 2016 needs npt (AMD NPT) on the host CPU"]);
  });
});

describe("resolution through the runtime", () => {
  it("reports the resolved mode, its reason and the paging in status; an impossible request fails with Incompatible listing what is missing", async () => {
    const rt = await openRuntime({ path: ":memory:" });
    const cpu = (features: string[]) => ({ sockets: 1, coresPerSocket: 4, mhz: 2000, vendor: "intel", features });
    await rt.apply({ kind: "Host", name: "xen-old", spec: { hypervisor: "xen", cpu: cpu(["lm"]), memoryMb: 8192 } });
    await rt.apply({
      kind: "Host",
      name: "xen-vt",
      spec: { hypervisor: "xen", hypervisorVersion: "4.0", cpu: cpu(["vmx", "ept", "lm"]), memoryMb: 8192 },
    });
    const pv = (await rt.apply({
      kind: "VirtualMachine",
      name: "web",
      spec: { host: "xen-old", vcpus: 1, memoryMb: 512, guestOs: "linux" },
    })) as VirtualMachineObject;
    expect(pv.status).toMatchObject({ virtualization: "paravirtual", paging: "direct" });
    expect(pv.status.virtualizationReason).toBe(
      "auto on xen 3.0 (prefers paravirtual, hardware); paravirtualization with direct paging (the guest's own page tables, validated by the hypervisor)",
    );
    const hvm = (await rt.apply({
      kind: "VirtualMachine",
      name: "win",
      spec: { host: "xen-vt", vcpus: 1, memoryMb: 1024, guestOs: "windows" },
    })) as VirtualMachineObject;
    expect(hvm.status.virtualizationReason).toBe(
      "auto on xen 4.0 (prefers paravirtual, hardware); paravirtual unavailable (windows guests cannot be paravirtualized (no kernel ported to xen)); hardware assistance (vmx) with nested paging (ept)",
    );
    const refused = await rt
      .apply({ kind: "VirtualMachine", name: "win2", spec: { host: "xen-old", vcpus: 1, memoryMb: 1024, guestOs: "windows" } })
      .catch((e) => e);
    expect(refused.code).toBe("Incompatible");
    expect(refused.message).toContain("VirtualMachine win2: field host: no host can run the VM (1 considered)");
    expect(refused.message).toContain(
      "xen-old: windows guests cannot be paravirtualized (no kernel ported to xen); hardware mode needs vmx (Intel VT-x) on the host CPU",
    );
    await rt.close();
  });
});
