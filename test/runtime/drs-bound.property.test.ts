/**
 * The planner's host-pair bound (LoadState.lowestVarianceBetween) only skips work: on random
 * clusters (hosts of unequal capacities, skewed or even placements, every threshold, minGain from 0 up)
 * the plan with the bound is the plan of the full search, move for move, reason for reason. VMs stay
 * within ESX 3.0's 16 GB per guest (the bench world's hosts): host memory 32 to 96 GB, 6 VMs or more each.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLUSTER, buildWorld } from "../../bench/drs-world";
import { balanceSettings } from "../../runtime/core/drs/pass";
import { planPass } from "../../runtime/core/drs/plan";
import type { BalanceSettings } from "../../runtime/core/drs/planned-move";
import { ClusterSnapshot } from "../../runtime/core/drs/snapshot";
import type { ClusterRecord, World } from "../../runtime/core/kernel/model";
import { Txn } from "../../runtime/core/kernel/txn";

function plan(world: World, overrides: Partial<BalanceSettings>) {
  const txn = new Txn(world);
  const settings = { ...balanceSettings(txn, txn.get<ClusterRecord>("Cluster", CLUSTER)!), ...overrides };
  return planPass(new ClusterSnapshot(txn, CLUSTER), settings);
}

const shapeArb = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  cores: fc.array(fc.integer({ min: 4, max: 16 }), { minLength: 2, maxLength: 12 }),
  memoryGb: fc.array(fc.integer({ min: 32, max: 96 }), { minLength: 12, maxLength: 12 }),
  vmsPerHost: fc.integer({ min: 6, max: 14 }),
  utilization: fc.double({ min: 0.05, max: 1.2, noNaN: true }),
  skewed: fc.boolean(),
});
const settingsArb = fc.record({
  migrationThreshold: fc.integer({ min: 2, max: 5 }),
  maxMovesPerPass: fc.integer({ min: 1, max: 40 }),
  minGain: fc.constantFrom(0, 0.0001, 0.001, 0.01, 0.05),
  intervalSeconds: fc.constantFrom(300, 1e12),
  breadth: fc.constantFrom(2, 8, Infinity),
});

describe("DRS planner bound", () => {
  it("plans exactly what the full search plans", () => {
    const outcomes = { moved: 0, swapped: 0, stopped: 0 };
    fc.assert(
      fc.property(shapeArb, settingsArb, (shape, settings) => {
        const hosts = shape.cores.length;
        const world = buildWorld({
          hosts,
          vms: hosts * shape.vmsPerHost,
          seed: shape.seed,
          utilization: shape.utilization,
          skewed: shape.skewed,
          coresPerSocket: (i) => shape.cores[i],
          memoryMb: (i) => shape.memoryGb[i] * 1024,
        });
        const bounded = plan(world, settings);
        const full = plan(world, { ...settings, pruneHostPairs: false });
        expect(bounded).toEqual(full);
        if (full.moves.length > 0) outcomes.moved++;
        if (full.moves.some((m) => m.reason.includes("swap"))) outcomes.swapped++;
        if (full.summary.includes("no move closes")) outcomes.stopped++;
      }),
      { seed: 20261206, numRuns: 300 },
    );
    // The draws reach every way a search ends: moves, swaps, and no move worth making.
    expect(outcomes.moved).toBeGreaterThan(0);
    expect(outcomes.swapped).toBeGreaterThan(0);
    expect(outcomes.stopped).toBeGreaterThan(0);
  });
});
