import fc from "fast-check";
import highsLoader from "highs";
import { describe, expect, it } from "vitest";
import type { BinSupply, PackItem } from "../../runtime/planning/bin-supply";
import { binCentric, firstFitDecreasing, pack } from "../../runtime/planning/packing";
import { cardinalityBound, martelloTothL2, packingLowerBound } from "../../runtime/planning/packing-bounds";

const CAP = [1000, 1000];

const itemsArb = (maxItems: number) =>
  fc
    .array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 })), { minLength: 1, maxLength: maxItems })
    .map((sizes) => sizes.map(([c, m], i): PackItem => ({ name: `s${String(i).padStart(3, "0")}`, size: [c, m] })));

function checkPacking(items: PackItem[], bins: number[][], capacity: number[]): void {
  const seen = bins.flat().sort((a, b) => a - b);
  expect(seen).toEqual(items.map((_, i) => i));
  for (const bin of bins) {
    for (let d = 0; d < capacity.length; d++) expect(bin.reduce((s, i) => s + items[i].size[d], 0)).toBeLessThanOrEqual(capacity[d]);
  }
}

/**
 * The exact minimum cost of a packing: the assignment MILP (x_ib item i in bin b, y_b bin b used),
 * each bin with its own capacity and cost. Identical bins: every bin costs 1 and bins open in order.
 */
async function milpOptimum(items: PackItem[], capacity: number[]): Promise<number> {
  const bins = firstFitDecreasing(items, capacity).bins.length;
  return milp(
    items,
    Array.from({ length: bins }, () => capacity),
    Array.from({ length: bins }, () => 1),
    true,
  );
}

async function milp(items: PackItem[], caps: (readonly number[])[], costs: number[], symmetric: boolean): Promise<number> {
  const highs = await highsLoader();
  const n = items.length;
  const bins = caps.length;
  const lines = ["Minimize", ` obj: ${costs.map((c, b) => `${c} y${b}`).join(" + ")}`, "Subject To"];
  items.forEach((_, i) => lines.push(` a${i}: ${Array.from({ length: bins }, (_, b) => `x${i}_${b}`).join(" + ")} = 1`));
  for (let b = 0; b < bins; b++) {
    caps[b].forEach((cap, d) =>
      lines.push(` c${b}_${d}: ${items.map((it, i) => `${it.size[d]} x${i}_${b}`).join(" + ")} - ${cap} y${b} <= 0`),
    );
    if (symmetric && b > 0) lines.push(` s${b}: y${b} - y${b - 1} <= 0`);
  }
  lines.push(
    "Binary",
    ...Array.from({ length: bins }, (_, b) => ` y${b}`),
    ...items.flatMap((_, i) => Array.from({ length: bins }, (_, b) => ` x${i}_${b}`)),
    "End",
  );
  const solution = highs.solve(lines.join("\n"), { time_limit: 60 });
  if (solution.Status !== "Optimal") throw new Error(`HiGHS: ${solution.Status} for ${n} items`);
  return Math.round(solution.ObjectiveValue);
}

describe("vector bin packing", () => {
  it("never exceeds a bin, places every item once, is never worse than FFD and never below its lower bound", () => {
    fc.assert(
      fc.property(itemsArb(60), (items) => {
        const result = pack(items, CAP);
        checkPacking(items, result.bins, CAP);
        expect(result.bins.length).toBeLessThanOrEqual(firstFitDecreasing(items, CAP).bins.length);
        expect(result.lowerBound).toBeLessThanOrEqual(result.bins.length);
      }),
      { seed: 151, numRuns: 200 },
    );
  });

  it("the heuristics alone give valid packings", () => {
    fc.assert(
      fc.property(itemsArb(40), (items) => {
        for (const rule of ["dotProduct", "l2Norm"] as const) checkPacking(items, binCentric(items, CAP, rule).bins, CAP);
      }),
      { seed: 152, numRuns: 100 },
    );
  });

  it("matches the exact MILP optimum (HiGHS) on small inputs", async () => {
    const cases = fc.sample(itemsArb(8), { seed: 153, numRuns: 15 });
    for (const items of cases) {
      const optimum = await milpOptimum(items, CAP);
      const result = pack(items, CAP);
      expect(result.bins.length, JSON.stringify(items.map((i) => i.size))).toBe(optimum);
      expect(result.optimal).toBe(true);
      expect(result.lowerBound).toBe(optimum);
    }
  });

  it("the lower bound never exceeds the MILP optimum", async () => {
    const cases = fc.sample(itemsArb(12), { seed: 154, numRuns: 8 });
    for (const items of cases) expect(packingLowerBound(items, CAP)).toBeLessThanOrEqual(await milpOptimum(items, CAP));
  });

  it("the cardinality bound never exceeds the MILP optimum on large items (20-60% of a bin in each dimension)", async () => {
    const large = fc
      .array(fc.tuple(fc.integer({ min: 200, max: 600 }), fc.integer({ min: 200, max: 600 })), { minLength: 4, maxLength: 11 })
      .map((sizes) => sizes.map(([c, m], i): PackItem => ({ name: `s${i}`, size: [c, m] })));
    for (const items of fc.sample(large, { seed: 159, numRuns: 10 })) {
      const optimum = await milpOptimum(items, CAP);
      expect(cardinalityBound(items, CAP), JSON.stringify(items.map((i) => i.size))).toBeLessThanOrEqual(optimum);
      expect(pack(items, CAP).bins.length).toBe(optimum);
    }
  });

  it("the cardinality bound sees what per-dimension bounds cannot: no three of these items share a bin", () => {
    // (450, 250) and (250, 450): any two fit, no three do (some dimension passes 1000); 8 items need 4 bins.
    const items: PackItem[] = Array.from({ length: 8 }, (_, i) => ({ name: `s${i}`, size: i % 2 === 0 ? [450, 250] : [250, 450] }));
    expect(
      martelloTothL2(
        items.map((i) => i.size[0]),
        1000,
      ),
    ).toBe(3);
    expect(cardinalityBound(items, CAP)).toBe(4);
    expect(packingLowerBound(items, CAP)).toBe(4);
    const result = pack(items, CAP);
    expect([result.bins.length, result.optimal]).toEqual([4, true]);
  });

  it("Martello and Toth's L2 counts items over half a bin that cannot share (Knapsack Problems, 1990, 8.3.1)", () => {
    // Three items of 600 in bins of 1000: the volume bound says 2, no two can share.
    expect(martelloTothL2([600, 600, 600], 1000)).toBe(3);
    expect(martelloTothL2([500, 500, 500, 500], 1000)).toBe(2);
  });

  it("packs peak-aligned demand: two servers peaking at different hours share a bin", () => {
    // Two time slots per item (cpu, memory at t0; cpu, memory at t1).
    const items: PackItem[] = [
      { name: "day", size: [900, 100, 100, 100] },
      { name: "night", size: [100, 100, 900, 100] },
    ];
    expect(pack(items, [1000, 1000, 1000, 1000]).bins.length).toBe(1);
    // By each one's own peak they would not.
    expect(
      pack(
        items.map((i) => ({ name: i.name, size: [900, 100] })),
        CAP,
      ).bins.length,
    ).toBe(2);
  });

  it("is deterministic", () => {
    const [items] = fc.sample(itemsArb(80), { seed: 155, numRuns: 1 });
    expect(pack(items, CAP)).toEqual(pack([...items], CAP));
  });
});

/** Bins of different sizes (existing hosts), with or without added bins of one size (new hosts). */
const supplyArb = fc.record({
  fixed: fc.array(fc.tuple(fc.integer({ min: 300, max: 1500 }), fc.integer({ min: 300, max: 1500 })), { minLength: 1, maxLength: 8 }),
  extra: fc.option(fc.tuple(fc.integer({ min: 500, max: 1500 }), fc.integer({ min: 500, max: 1500 })), { nil: undefined }),
});

/** Items that each fit the supply's largest bin. */
const heterogeneousArb = (maxItems: number) =>
  fc.tuple(supplyArb, itemsArb(maxItems)).map(([supply, raw]): [BinSupply, PackItem[]] => {
    const all = supply.extra ? [...supply.fixed, supply.extra] : supply.fixed;
    const largest = all.reduce((a, b) => (a[0] + a[1] >= b[0] + b[1] ? a : b));
    return [supply, raw.map((it) => ({ ...it, size: it.size.map((s, d) => Math.max(1, Math.floor((s * largest[d]) / 1000))) }))];
  });

describe("vector bin packing into bins of different sizes", () => {
  it("keeps each bin within its own capacity, uses each fixed bin at most once, places or reports every item once", () => {
    fc.assert(
      fc.property(heterogeneousArb(40), ([supply, items]) => {
        const result = pack(items, supply);
        expect(result.bins.length).toBe(result.slots.length);
        const fixedUsed = result.slots.filter((s) => s < supply.fixed.length);
        expect(new Set(fixedUsed).size).toBe(fixedUsed.length);
        const seen = [...result.bins.flat(), ...result.unplaced].sort((a, b) => a - b);
        expect(seen).toEqual(items.map((_, i) => i));
        result.bins.forEach((bin, b) => {
          const cap = result.slots[b] < supply.fixed.length ? supply.fixed[result.slots[b]] : supply.extra!;
          for (let d = 0; d < 2; d++) expect(bin.reduce((s, i) => s + items[i].size[d], 0)).toBeLessThanOrEqual(cap[d]);
        });
        // Added bins never run out: an item is left out only if it does not fit one.
        const extra = supply.extra;
        if (extra) expect(result.unplaced.filter((i) => items[i].size.every((s, d) => s <= extra[d]))).toEqual([]);
        expect(result.lowerBound).toBeLessThanOrEqual(result.bins.length);
        // Never worse than FFD on the same supply (fewer left out, then fewer added bins, then fewer bins).
        const ffd = firstFitDecreasing(items, supply);
        const key = (p: { unplaced: number[]; slots: number[]; bins: number[][] }) => [
          p.unplaced.length,
          p.slots.filter((s) => s >= supply.fixed.length).length,
          p.bins.length,
        ];
        const [a, b] = [key(result), key(ffd)];
        expect(a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] <= b[2]))), JSON.stringify([a, b])).toBe(true);
      }),
      { seed: 156, numRuns: 200 },
    );
  });

  it("an exact small case: 600-unit items, one bin of 1200 takes two, the bins of 700 one each", () => {
    const items: PackItem[] = ["a", "b", "c"].map((name) => ({ name, size: [600, 600] }));
    const result = pack(items, {
      fixed: [
        [700, 700],
        [1200, 1200],
        [700, 700],
      ],
    });
    expect(result.bins.length).toBe(2);
    expect(result.slots.sort()).toEqual([0, 1]);
    expect(result.optimal).toBe(true);
    // Only the large bin: one item is left out.
    expect(pack(items, { fixed: [[1200, 1200]] }).unplaced).toHaveLength(1);
    // The L2 bound at the largest capacity sees that no two fit one bin of 700, and the volume bound needs 2 bins.
    expect(
      packingLowerBound(items, {
        fixed: [
          [700, 700],
          [1200, 1200],
          [700, 700],
        ],
      }),
    ).toBe(2);
    expect(packingLowerBound(items, { fixed: [[700, 700]], extra: [700, 700] })).toBe(3);
  });

  it("matches the exact MILP optimum (HiGHS) on small inputs: fixed bins first, then the fewest bins", async () => {
    const cases = fc.sample(heterogeneousArb(7), { seed: 157, numRuns: 12 });
    let checked = 0;
    for (const [supply, items] of cases) {
      const result = pack(items, supply);
      if (result.unplaced.length > 0) continue;
      checked++;
      const f = supply.fixed.length;
      const addedBins = supply.extra ? firstFitDecreasing(items, supply).bins.length : 0;
      const caps = [...supply.fixed, ...Array.from({ length: addedBins }, () => supply.extra!)];
      const costs = caps.map((_, b) => (b < f ? 1 : f + 1));
      const cost = result.slots.reduce((sum, s) => sum + (s < f ? 1 : f + 1), 0);
      expect(cost, JSON.stringify([supply, items.map((i) => i.size)])).toBe(await milp(items, caps, costs, false));
      expect(result.optimal).toBe(true);
      // The lower bound never exceeds the fewest bins at all.
      const fewest = await milp(
        items,
        caps,
        caps.map(() => 1),
        false,
      );
      expect(result.lowerBound).toBeLessThanOrEqual(fewest);
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it("the cardinality bound never exceeds the fewest bins (HiGHS) for large items in bins of different sizes", async () => {
    const large = fc.tuple(
      supplyArb,
      fc.array(fc.tuple(fc.integer({ min: 200, max: 600 }), fc.integer({ min: 200, max: 600 })), { minLength: 3, maxLength: 9 }),
    );
    let checked = 0;
    for (const [supply, sizes] of fc.sample(large, { seed: 160, numRuns: 14 })) {
      const items = sizes.map(([c, m], i): PackItem => ({ name: `s${i}`, size: [c, m] }));
      const ffd = firstFitDecreasing(items, supply);
      if (ffd.unplaced.length > 0) continue;
      checked++;
      const caps = [...supply.fixed, ...Array.from({ length: supply.extra ? ffd.bins.length : 0 }, () => supply.extra!)];
      const fewest = await milp(
        items,
        caps,
        caps.map(() => 1),
        false,
      );
      expect(cardinalityBound(items, supply), JSON.stringify([supply, sizes])).toBeLessThanOrEqual(fewest);
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it("identical bins as a supply pack as identical bins do", () => {
    const [items] = fc.sample(itemsArb(80), { seed: 158, numRuns: 1 });
    expect(pack(items, CAP)).toEqual(pack([...items], CAP));
  });
});
