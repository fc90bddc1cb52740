/**
 * Kernel sharing. Sources: OpenVZ User's Guide, "OpenVZ Philosophy" (one kernel per hardware node,
 * containers run Linux); Virtuozzo 3.5 for Windows User's Guide (Windows containers on a Windows
 * kernel); System Administration Guide: Solaris Containers, "About Branded Zones and the Linux Branded
 * Zone" (lx zones run 32-bit Linux applications, on x86 only).
 */
import { describe, expect, it } from "vitest";
import { type ContainerHostFacts, kernelVerdict } from "../../../runtime/core/containers/kernel-sharing";

const host = (
  hypervisor: string,
  osFamilies: ("linux" | "windows" | "solaris")[] | undefined,
  extra: Partial<ContainerHostFacts> = {},
): ContainerHostFacts => ({
  name: "h1",
  hypervisor,
  support: osFamilies && { osFamilies, lxBrand: hypervisor === "zones" },
  kernelFamily: undefined,
  longMode: true,
  ...extra,
});
const template = (name: string, osFamily: "linux" | "windows" | "solaris", arch: "x86" | "x86_64" = "x86_64") => ({
  name,
  spec: { osFamily, arch },
});

describe("kernel sharing", () => {
  it("runs a template of the host kernel's family natively", () => {
    expect(kernelVerdict(host("openvz", ["linux"]), template("centos-5-x86_64", "linux"))).toEqual({ ok: true, brand: "native" });
    expect(kernelVerdict(host("virtuozzo", ["linux", "windows"]), template("w", "windows"))).toEqual({ ok: true, brand: "native" });
    expect(kernelVerdict(host("zones", ["solaris"]), template("s", "solaris"))).toEqual({ ok: true, brand: "native" });
  });

  it("refuses other families, naming host and template", () => {
    const v = kernelVerdict(host("openvz", ["linux"]), template("solaris-10-x86", "solaris", "x86"));
    expect(v).toEqual({
      ok: false,
      reason: "host h1 (openvz) cannot run template solaris-10-x86 (solaris x86): openvz containers share a linux kernel",
    });
    expect(kernelVerdict(host("esx", undefined), template("t", "linux")).ok).toBe(false);
  });

  it("keeps one kernel per host", () => {
    const v = kernelVerdict(host("virtuozzo", ["linux", "windows"], { kernelFamily: "linux" }), template("w", "windows"));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/runs a linux kernel/);
  });

  it("runs 32-bit Linux in lx branded zones, and not 64-bit", () => {
    expect(kernelVerdict(host("zones", ["solaris"]), template("centos-3-x86", "linux", "x86"))).toEqual({ ok: true, brand: "lx" });
    const v = kernelVerdict(host("zones", ["solaris"]), template("centos-5-x86_64", "linux"));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(/32-bit Linux only/);
  });

  it("needs long mode for 64-bit templates", () => {
    expect(kernelVerdict(host("openvz", ["linux"], { longMode: false }), template("t", "linux")).ok).toBe(false);
    expect(kernelVerdict(host("openvz", ["linux"], { longMode: false }), template("t", "linux", "x86")).ok).toBe(true);
  });
});
