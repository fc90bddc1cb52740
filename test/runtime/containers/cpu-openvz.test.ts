/**
 * The OpenVZ scheduler against the OpenVZ User's Guide (version 2.7.0-8), chapter "Managing
 * Resources", sections "Managing CPU Share" and "Configuring Number of CPUs Inside Container", and
 * vzctl(8) (--cpuunits: 8..500000, default 1000; --cpulimit: percent of one CPU; --cpus).
 */
import { describe, expect, it } from "vitest";
import { type OpenVzContainer, guaranteedMhz, openVzEntitlements } from "../../../runtime/core/containers/cpu-openvz";
import { ContainerSpec } from "../../../schema/container";

const host = { cpus: 2, mhz: 1000 };
const busy = (name: string, extra: Partial<OpenVzContainer> = {}): OpenVzContainer => ({
  name,
  units: 1000,
  demandMhz: Infinity,
  ...extra,
});

describe("cpuunits", () => {
  // "Managing CPU Share": cpuunits are relative weights; a container's guaranteed share is its cpuunits
  // divided by the sum over the running containers.
  it("splits a busy host in proportion to cpuunits", () => {
    const got = openVzEntitlements(host, [busy("a"), busy("b", { units: 2000 }), busy("c")]);
    expect([got.get("a"), got.get("b"), got.get("c")]).toEqual([500, 1000, 500]);
    expect(guaranteedMhz(host, 2000, [1000, 2000, 1000])).toBe(1000);
  });

  // Same section: the guarantee is a minimum; CPU time the others do not use goes to those that want it.
  it("hands what idle containers leave to the busy ones", () => {
    const got = openVzEntitlements(host, [busy("a", { demandMhz: 100 }), busy("b", { units: 2000 }), busy("c")]);
    expect(got.get("a")).toBe(100);
    expect(got.get("b")).toBeCloseTo(1900 * (2 / 3), 9);
    expect(got.get("c")).toBeCloseTo(1900 / 3, 9);
  });

  // vzctl(8): cpuunits range 8..500000, default 1000.
  it("defaults to 1000 and stays within 8..500000", () => {
    const base = { cluster: "c", template: "centos-5-x86_64", memoryMb: 256, diskGb: 2 };
    expect(ContainerSpec.parse(base).cpu.units).toBe(1000);
    expect(ContainerSpec.safeParse({ ...base, cpu: { units: 7 } }).success).toBe(false);
    expect(ContainerSpec.safeParse({ ...base, cpu: { units: 500_001 } }).success).toBe(false);
    expect(ContainerSpec.safeParse({ ...base, cpu: { units: 8 } }).success).toBe(true);
  });
});

describe("cpulimit and cpus", () => {
  // "Managing CPU Share": with --cpulimit 4 a container never gets more than 4% of the CPU, even when
  // the CPU is not fully loaded. The limit is in percent of one CPU (two CPUs = 200%).
  it("caps at cpulimit percent of one CPU even on an idle host", () => {
    const got = openVzEntitlements(host, [busy("a", { limitPercent: 4 })]);
    expect(got.get("a")).toBe(40);
    expect(openVzEntitlements(host, [busy("a", { limitPercent: 150 })]).get("a")).toBe(1500);
  });

  // "Configuring Number of CPUs Inside Container": --cpus bounds the CPUs a container can use at once;
  // so do its runnable threads.
  it("bounds a container by its visible CPUs and its threads", () => {
    const h = { cpus: 4, mhz: 1000 };
    expect(openVzEntitlements(h, [busy("a", { cpus: 1 })]).get("a")).toBe(1000);
    expect(openVzEntitlements(h, [busy("a", { threads: 3 })]).get("a")).toBe(3000);
  });
});
