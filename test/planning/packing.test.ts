import fc from "fast-check";
import highsLoader from "highs";
import { describe, expect, it } from "vitest";
import { type PackItem, binCentric, firstFitDecreasing, martelloTothL2, pack, packingLowerBound } from "../../runtime/planning/packing";

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

/** The exact minimum number of bins: the assignment MILP (x_ib item i in bin b, y_b bin b used). */
async function milpOptimum(items: PackItem[], capacity: number[]): Promise<number> {
  const highs = await highsLoader();
  const n = items.length;
  const bins = firstFitDecreasing(items, capacity).bins.length;
  const lines = ["Minimize", ` obj: ${Array.from({ length: bins }, (_, b) => `y${b}`).join(" + ")}`, "Subject To"];
  items.forEach((_, i) => lines.push(` a${i}: ${Array.from({ length: bins }, (_, b) => `x${i}_${b}`).join(" + ")} = 1`));
  for (let b = 0; b < bins; b++) {
    capacity.forEach((cap, d) =>
      lines.push(` c${b}_${d}: ${items.map((it, i) => `${it.size[d]} x${i}_${b}`).join(" + ")} - ${cap} y${b} <= 0`),
    );
    if (b > 0) lines.push(` s${b}: y${b} - y${b - 1} <= 0`);
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
