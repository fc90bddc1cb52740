/**
 * The live-migration model is the hypervisor's, from its profile: vMotion sends at the link's rate from
 * the first round until the rest fits the 500 ms switchover goal (Broadcom KB 436882); Xen keeps its
 * rate-limited pre-copy (Clark et al., NSDI 2005, section 5.1: first round at 100 Mbit/s, then the
 * dirtying rate + 50 Mbit/s, capped at 500).
 */
import { describe, expect, it } from "vitest";
import { openRuntime } from "../../runtime";
import type { VirtualMachineObject } from "../../runtime";
import { PROFILES } from "../../runtime/core/hypervisors/profiles";
import { VMOTION, XEN_PRE_COPY, preCopyParamsFor } from "../../runtime/core/migration/models";
import { XEN_DEFAULTS, simulatePreCopy } from "../../runtime/core/migration/pre-copy";
import { cluster, esxHost, vm } from "../support/fixtures";

const xenHost = (name: string) => ({
  kind: "Host" as const,
  name,
  spec: {
    cluster: "prod",
    hypervisor: "xen",
    cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
    memoryMb: 65536,
  },
});

/** Starts a live migration of an idle 2 GB VM between two hosts made by `host` and returns its expected record. */
async function idleMove(host: (name: string) => { kind: "Host"; name: string; spec: object }) {
  const rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", { migration: { bandwidthMbps: 1000 } }));
  for (const h of ["a", "b"]) await rt.apply(host(h));
  await rt.apply(vm("idle", { host: "a", memoryMb: 2048, workload: { dirtyRateMbps: 0 } }));
  await rt.apply(vm("idle", { host: "b", memoryMb: 2048, workload: { dirtyRateMbps: 0 } }));
  const expected = ((await rt.get("VirtualMachine", "idle")) as VirtualMachineObject).status.migration!.expected;
  await rt.close();
  return expected;
}

describe("live migration per hypervisor", () => {
  it("each profile names its model and its source", () => {
    for (const profile of Object.values(PROFILES.esx)) {
      expect(profile.liveMigration).toBe(VMOTION);
      expect(profile.sources.some((s) => s.includes("KB 436882"))).toBe(true);
    }
    for (const profile of Object.values(PROFILES.xen)) {
      expect(profile.liveMigration).toBe(XEN_PRE_COPY);
      expect(profile.sources.some((s) => s.includes("NSDI 2005"))).toBe(true);
    }
  });

  it("vMotion moves an idle 2 GB VM at the link's rate: 2048 MB x 8 / 1000 Mbit/s = 16.4 s", async () => {
    const e = await idleMove((name) => esxHost(name) as { kind: "Host"; name: string; spec: object });
    expect(e).toMatchObject({ kind: "live", rounds: 1, transferredMb: 2048, stopReason: "converged" });
    expect(e.totalSeconds).toBeCloseTo(16.384 + 0.025, 3);
    expect(e.totalSeconds).toBeLessThan(30);
  });

  it("Xen moves the same VM with its 100 Mbit/s first round: 2048 MB x 8 / 100 = 163.8 s", async () => {
    const e = await idleMove(xenHost);
    expect(e).toMatchObject({ kind: "live", rounds: 1, transferredMb: 2048 });
    expect(e.totalSeconds).toBeCloseTo(163.84 + 0.025, 3);
  });

  it("vMotion stops pre-copy once the rest fits the 500 ms switchover goal", () => {
    const params = preCopyParamsFor(VMOTION, XEN_DEFAULTS);
    // 1000 Mbit/s for 500 ms is 62.5 MB, 16000 pages of 4 KiB.
    expect(params).toMatchObject({ firstRoundMbps: 1000, maxRateMbps: 1000, stopPages: 16000 });
    expect(preCopyParamsFor(VMOTION, XEN_DEFAULTS)).toBe(params);
    expect(preCopyParamsFor(XEN_PRE_COPY, XEN_DEFAULTS)).toBe(XEN_DEFAULTS);
    // A busy 4 GB VM writing 400 Mbit/s over a 1 GB working set: the residue after a few rounds fits 500 ms.
    const busy = { memoryMb: 4096, dirtyRateMbps: 400, writableWorkingSetMb: 1024 };
    const vmotion = simulatePreCopy(busy, params);
    expect(vmotion.stopReason).toBe("converged");
    expect(vmotion.downtimeMs).toBeLessThanOrEqual(500 + XEN_DEFAULTS.resumeMs);
    const xen = simulatePreCopy(busy, XEN_DEFAULTS);
    expect(vmotion.totalSeconds).toBeLessThan(xen.totalSeconds);
  });
});
