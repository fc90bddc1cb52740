/**
 * The allocation engine against documented share semantics. Sources:
 * - vSphere Resource Management guide (6.x/7.x), "Resource Allocation Shares", "Resource Allocation
 *   Reservation", "Resource Allocation Limit", and "Managing Resource Pools";
 * - Gulati et al., "VMware Distributed Resource Management: Design, Implementation, and Lessons
 *   Learned", VMware Technical Journal 1(1), 2012, section 3 (entitlements by divvying over the tree).
 */
import { describe, expect, it } from "vitest";
import { divide } from "../../runtime/core/allocation/divide";
import { allocateTree } from "../../runtime/core/allocation/tree";
import { poolShares, vmShares } from "../../runtime/core/allocation/shares";

const claim = (shares: number, extra: Partial<{ reservation: number; limit: number; demand: number }> = {}) => ({
  shares,
  reservation: 0,
  limit: Infinity,
  demand: Infinity,
  ...extra,
});

describe("share presets", () => {
  // Resource Management guide, "Resource Allocation Shares", table "Share Values":
  // High/Normal/Low = 2000/1000/500 shares per vCPU and 20/10/5 per MB of configured memory.
  it("scale per vCPU and per MB for VMs", () => {
    expect(vmShares("high", "cpu", 2, 4096)).toBe(4000);
    expect(vmShares("normal", "cpu", 4, 4096)).toBe(4000);
    expect(vmShares("low", "cpu", 1, 4096)).toBe(500);
    expect(vmShares("high", "memory", 2, 4096)).toBe(81920);
    expect(vmShares("normal", "memory", 2, 1024)).toBe(10240);
    expect(vmShares(1234, "cpu", 8, 4096)).toBe(1234);
  });

  // Same guide, "Managing Resource Pools": a pool's presets are those of a VM with 4 vCPUs and 16 GB.
  it("count a pool as a VM with 4 vCPUs and 16 GB", () => {
    expect([poolShares("high", "cpu"), poolShares("normal", "cpu"), poolShares("low", "cpu")]).toEqual([8000, 4000, 2000]);
    expect([poolShares("high", "memory"), poolShares("normal", "memory"), poolShares("low", "memory")]).toEqual([327680, 163840, 81920]);
    expect(poolShares(77, "memory")).toBe(77);
  });
});

describe("divide", () => {
  // "Resource Allocation Shares": a VM with twice the shares of another is entitled to twice as much
  // when both contend.
  it("splits in proportion to shares when everyone wants more", () => {
    expect(divide(3000, [claim(2000), claim(1000)])).toEqual([2000, 1000]);
  });

  // "Resource Allocation Limit": an upper bound even when capacity is idle; what a capped VM cannot
  // use goes to the others.
  it("caps at the limit and gives the rest to the others", () => {
    expect(divide(3000, [claim(1000, { limit: 500 }), claim(1000)])).toEqual([500, 2500]);
  });

  // Gulati et al. 2012, section 3.1: entitlements are computed from demand; an idle VM's share is
  // redistributed to the VMs that want it (max-min fairness).
  it("redistributes what an idle or light VM does not use", () => {
    expect(divide(3000, [claim(1000, { demand: 0 }), claim(1000), claim(1000)])).toEqual([0, 1500, 1500]);
    const [light, normal, high] = divide(3000, [claim(1000, { demand: 400 }), claim(1000), claim(2000)]);
    expect(light).toBe(400);
    expect(normal).toBeCloseTo(2600 / 3, 9);
    expect(high).toBeCloseTo((2 * 2600) / 3, 9);
  });

  // "Resource Allocation Reservation": a guaranteed minimum, whatever the shares.
  it("never goes below a reservation", () => {
    const [low, high] = divide(3000, [claim(500, { reservation: 2500 }), claim(2000)]);
    expect(low).toBe(2500);
    expect(high).toBe(500);
  });

  it("floors an entitlement at the reservation even when demand is lower", () => {
    expect(divide(3000, [claim(1000, { reservation: 800, demand: 100 }), claim(1000)])).toEqual([800, 2200]);
  });

  it("gives everyone their ceiling when capacity suffices, leaving the rest idle", () => {
    expect(divide(10000, [claim(1000, { demand: 1000 }), claim(1000, { demand: 2000 })])).toEqual([1000, 2000]);
  });

  // Solaris FSS semantics (System Administration Guide: Resource Management, "Fair Share Scheduler"):
  // zero shares run only when nobody with shares wants the CPU.
  it("gives zero-share claims only what claims with shares leave", () => {
    expect(divide(3000, [claim(0), claim(1000)])).toEqual([0, 3000]);
    expect(divide(3000, [claim(0), claim(1000, { demand: 1000 })])).toEqual([2000, 1000]);
    expect(divide(3000, [claim(0, { reservation: 300 }), claim(1000)])).toEqual([300, 2700]);
  });

  it("scales reservations down alike when they exceed the capacity (hosts lost after admission)", () => {
    expect(divide(1000, [claim(1000, { reservation: 1500 }), claim(1000, { reservation: 500 })])).toEqual([750, 250]);
  });
});

describe("allocateTree", () => {
  // Resource Management guide, "Managing Resource Pools": siblings share the parent's capacity by
  // shares, recursively. Pool A (high, 8000) and pool B (normal, 4000) contend for 6000 MHz:
  // A gets 4000, B 2000; inside A two normal VMs split 4000 evenly.
  it("divides recursively down the pool tree", () => {
    const vm = (id: string, shares = 1000, extra = {}) => ({ id, shares, reservation: 0, limit: Infinity, demand: Infinity, ...extra });
    const result = allocateTree(6000, [
      { id: "A", shares: 8000, reservation: 0, limit: Infinity, children: [vm("a1"), vm("a2")] },
      { id: "B", shares: 4000, reservation: 0, limit: Infinity, children: [vm("b1")] },
    ]);
    expect(Object.fromEntries(result)).toEqual({ A: 4000, a1: 2000, a2: 2000, B: 2000, b1: 2000 });
  });

  it("asks for a pool only what its VMs can use, so the sibling gets the rest", () => {
    const result = allocateTree(6000, [
      {
        id: "A",
        shares: 8000,
        reservation: 0,
        limit: Infinity,
        children: [{ id: "a1", shares: 1000, reservation: 0, limit: Infinity, demand: 500 }],
      },
      {
        id: "B",
        shares: 4000,
        reservation: 0,
        limit: Infinity,
        children: [{ id: "b1", shares: 1000, reservation: 0, limit: Infinity, demand: Infinity }],
      },
    ]);
    expect([result.get("A"), result.get("a1"), result.get("B"), result.get("b1")]).toEqual([500, 500, 5500, 5500]);
  });

  it("holds a pool's limit over all its VMs", () => {
    const result = allocateTree(10000, [
      {
        id: "capped",
        shares: 4000,
        reservation: 0,
        limit: 1000,
        children: [
          { id: "x", shares: 1000, reservation: 0, limit: Infinity, demand: 5000 },
          { id: "y", shares: 1000, reservation: 0, limit: Infinity, demand: 5000 },
        ],
      },
    ]);
    expect([result.get("capped"), result.get("x"), result.get("y")]).toEqual([1000, 500, 500]);
  });

  // An expandable pool's children may reserve more than the pool itself (borrowed from the parent):
  // the pool is guaranteed what its children reserve.
  it("guarantees an expandable pool its children's reservations", () => {
    const result = allocateTree(3000, [
      {
        id: "small",
        shares: 2000,
        reservation: 0,
        limit: Infinity,
        children: [{ id: "r", shares: 1000, reservation: 2000, limit: Infinity, demand: Infinity }],
      },
      {
        id: "big",
        shares: 8000,
        reservation: 0,
        limit: Infinity,
        children: [{ id: "z", shares: 1000, reservation: 0, limit: Infinity, demand: Infinity }],
      },
    ]);
    expect([result.get("small"), result.get("r"), result.get("big")]).toEqual([2000, 2000, 1000]);
  });
});
