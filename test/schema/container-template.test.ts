import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../runtime/core/containers/catalog";
import { ContainerSpec } from "../../schema/container";
import { TemplateSpec } from "../../schema/template";

const base = { cluster: "c", template: "solaris-10-x86", memoryMb: 512, diskGb: 4 };
const issues = (input: unknown) => {
  const r = ContainerSpec.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("ContainerSpec", () => {
  it("fills defaults", () => {
    const spec = ContainerSpec.parse(base);
    expect(spec).toMatchObject({ state: "running", apps: [], ipAddresses: [], projects: [], cpu: { units: 1000 }, workload: {} });
    expect(spec.cpu.shares).toBeUndefined();
  });

  // zonecfg(1M), dedicated-cpu resource: "cannot be used with capped-cpu, cpu-shares or pool" (the
  // System Administration Guide calls the combination a configuration error).
  it("refuses dedicatedCpus with caps, shares or a pool, naming the field", () => {
    expect(issues({ ...base, cpu: { dedicatedCpus: 2, cappedCpus: 1 } })).toEqual([
      expect.stringMatching(/^cpu\.cappedCpus: cappedCpus cannot be combined with dedicatedCpus/),
    ]);
    expect(issues({ ...base, cpu: { dedicatedCpus: 2, shares: 10 } })).toEqual([expect.stringMatching(/^cpu\.shares: /)]);
    expect(issues({ ...base, cpu: { dedicatedCpus: 2, pool: "web" } })).toEqual([expect.stringMatching(/^cpu\.pool: /)]);
    expect(issues({ ...base, cpu: { dedicatedCpus: 2 } })).toEqual([]);
    expect(issues({ ...base, cpu: { cappedCpus: 1.5, shares: 0 } })).toEqual([]);
  });

  it("refuses unknown fields, bad addresses, duplicates and a missing placement", () => {
    expect(issues({ ...base, colour: "red" })[0]).toMatch(/colour/);
    expect(issues({ ...base, ipAddresses: ["10.0.0.256"] })[0]).toMatch(/^ipAddresses\.0: must be an IPv4 address/);
    expect(issues({ ...base, ipAddresses: ["10.0.0.1", "10.0.0.1"] })).toEqual(["ipAddresses.1: 10.0.0.1 is listed twice"]);
    expect(issues({ ...base, ipAddresses: ["10.0.0.1"], ipFrom: "10.0.0.9" })).toEqual([
      "ipFrom: give either ipAddresses or ipFrom, not both",
    ]);
    expect(issues({ template: "t", memoryMb: 64, diskGb: 1 })).toEqual(["cluster: either cluster or host is required"]);
    expect(issues({ ...base, hostname: "-bad" })[0]).toMatch(/^hostname: must be a host name/);
  });

  it("takes a zone's demand from its projects", () => {
    const projects = [{ name: "web", shares: 2, workload: { cpuDemandMhz: 500 } }];
    expect(issues({ ...base, projects })).toEqual([]);
    expect(issues({ ...base, projects, workload: { cpuDemandMhz: 10 } })).toEqual([
      "workload.cpuDemandMhz: a zone with projects takes its demand from them: set it per project",
    ]);
    expect(ContainerSpec.parse({ ...base, projects: [{ name: "p" }] }).projects[0].shares).toBe(1);
  });
});

describe("TemplateSpec and the catalog", () => {
  it("requires a distribution for os templates only", () => {
    expect(TemplateSpec.safeParse({ type: "os", osFamily: "linux", version: "5" }).success).toBe(false);
    expect(TemplateSpec.parse({ type: "app", osFamily: "linux", version: "2.2" }).arch).toBe("x86_64");
  });

  it("has valid, uniquely named, sourced built-ins covering Linux, Solaris 10 and Windows Server", () => {
    for (const t of BUILT_IN_TEMPLATES) {
      expect(TemplateSpec.parse(t.spec)).toEqual(t.spec);
      expect(t.sources.length).toBeGreaterThan(0);
    }
    expect(new Set(BUILT_IN_TEMPLATES.map((t) => t.name)).size).toBe(BUILT_IN_TEMPLATES.length);
    const os = BUILT_IN_TEMPLATES.filter((t) => t.spec.type === "os");
    expect(new Set(os.filter((t) => t.spec.osFamily === "linux").map((t) => t.spec.distribution)).size).toBeGreaterThanOrEqual(4);
    expect(os.some((t) => t.spec.osFamily === "solaris" && t.spec.version === "10")).toBe(true);
    expect(os.some((t) => t.spec.osFamily === "windows")).toBe(true);
    expect(BUILT_IN_TEMPLATES.filter((t) => t.spec.type === "app").map((t) => t.name)).toEqual(expect.arrayContaining(["apache", "mysql"]));
  });
});
