/**
 * Invariants of the allocation engine over random sibling sets and pool trees (fast-check):
 * allocations never exceed the capacity they divide, never fall below a reservation when the
 * reservations fit (what admission control guarantees), never exceed a limit or a demand ceiling,
 * leave nothing idle that someone wants, and split contended capacity in proportion to shares.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Claim, ceilingOf, divide } from "../../runtime/core/allocation/divide";
import { type AllocationNode, allocateTree } from "../../runtime/core/allocation/tree";

const EPS = 1e-6;

const claimArb: fc.Arbitrary<Claim> = fc
  .record({
    shares: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100_000 })),
    reservation: fc.integer({ min: 0, max: 4000 }),
    limitExtra: fc.option(fc.integer({ min: 0, max: 8000 }), { nil: undefined }),
    demand: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 12_000 })),
  })
  .map((c) => ({
    shares: c.shares,
    reservation: c.reservation,
    limit: c.limitExtra === undefined ? Infinity : c.reservation + c.limitExtra,
    demand: c.demand,
  }));

/** Sibling sets whose reservations fit the capacity, as admission control ensures. */
const admitted = fc
  .record({ claims: fc.array(claimArb, { minLength: 1, maxLength: 12 }), spare: fc.integer({ min: 0, max: 40_000 }) })
  .map(({ claims, spare }) => ({
    claims,
    capacity: claims.reduce((s, c) => s + c.reservation, 0) + spare,
  }));

describe("divide (properties)", () => {
  it("stays within capacity, reservations, limits and ceilings, and wastes nothing wanted", () => {
    fc.assert(
      fc.property(admitted, ({ claims, capacity }) => {
        const out = divide(capacity, claims);
        const total = out.reduce((a, b) => a + b, 0);
        expect(total).toBeLessThanOrEqual(capacity + EPS);
        claims.forEach((c, i) => {
          expect(out[i]).toBeGreaterThanOrEqual(c.reservation - EPS);
          expect(out[i]).toBeLessThanOrEqual(ceilingOf(c) + EPS);
          expect(out[i]).toBeLessThanOrEqual(Math.max(c.reservation, c.limit) + EPS);
        });
        const wanted = claims.reduce((s, c) => s + ceilingOf(c), 0);
        expect(total).toBeCloseTo(Math.min(capacity, wanted), 4);
      }),
      { numRuns: 500 },
    );
  });

  it("gives every claim that is neither at its floor nor at its ceiling the same allocation per share", () => {
    fc.assert(
      fc.property(admitted, ({ claims, capacity }) => {
        const out = divide(capacity, claims);
        const levels = claims
          .map((c, i) => ({ c, e: out[i] }))
          .filter(({ c, e }) => c.shares > 0 && e > c.reservation + EPS && e < ceilingOf(c) - EPS)
          .map(({ c, e }) => e / c.shares);
        for (const level of levels) expect(level).toBeCloseTo(levels[0], 6);
      }),
      { numRuns: 500 },
    );
  });

  it("never gives a claim with more shares and the same bounds less", () => {
    fc.assert(
      fc.property(admitted, fc.integer({ min: 1, max: 50_000 }), ({ claims, capacity }, extra) => {
        const twin = { ...claims[0], shares: claims[0].shares + extra };
        const out = divide(capacity + twin.reservation, [...claims, twin]);
        expect(out[claims.length]).toBeGreaterThanOrEqual(out[0] - EPS);
      }),
      { numRuns: 300 },
    );
  });
});

/** Random pool trees whose reservations fit at every level (expandable pools claim their children's reservations). */
const treeArb: fc.Arbitrary<AllocationNode[]> = fc.letrec<{ node: AllocationNode; forest: AllocationNode[] }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    claimArb.map((c) => ({ id: "", ...c })),
    fc
      .record({ claim: claimArb, children: tie("forest") })
      .map(({ claim, children }) => ({ id: "", shares: claim.shares, reservation: claim.reservation, limit: claim.limit, children })),
  ),
  forest: fc.array(tie("node"), { minLength: 1, maxLength: 4 }),
})).forest;

function label(nodes: AllocationNode[], prefix = "n"): AllocationNode[] {
  return nodes.map((n, i) => ({
    ...n,
    id: `${prefix}.${i}`,
    ...(n.children ? { children: label([...n.children], `${prefix}.${i}`) } : {}),
  }));
}

/** What a node is guaranteed: its reservation, or for a pool at least its children's. */
function floorOf(n: AllocationNode): number {
  return n.children
    ? Math.max(
        n.reservation,
        n.children.reduce((s, c) => s + floorOf(c), 0),
      )
    : n.reservation;
}

/** Keeps a pool's limit at or above what its children are guaranteed (admission refuses otherwise). */
function admissible(n: AllocationNode): AllocationNode {
  if (!n.children) return n;
  const children = n.children.map(admissible);
  const floor = Math.max(
    n.reservation,
    children.reduce((s, c) => s + floorOf(c), 0),
  );
  return { ...n, children, limit: Math.max(n.limit, floor) };
}

describe("allocateTree (properties)", () => {
  it("keeps children within their pool's allocation and every node within its bounds", () => {
    fc.assert(
      fc.property(treeArb, fc.integer({ min: 0, max: 50_000 }), (raw, spare) => {
        const roots = label(raw).map(admissible);
        const capacity = roots.reduce((s, r) => s + floorOf(r), 0) + spare;
        const result = allocateTree(capacity, roots);
        const check = (nodes: readonly AllocationNode[], parent: number) => {
          const sum = nodes.reduce((s, n) => s + result.get(n.id)!, 0);
          expect(sum).toBeLessThanOrEqual(parent + EPS);
          for (const n of nodes) {
            const e = result.get(n.id)!;
            expect(e).toBeGreaterThanOrEqual(floorOf(n) - EPS);
            expect(e).toBeLessThanOrEqual(Math.max(floorOf(n), n.limit) + EPS);
            if (n.children) check(n.children, e);
          }
        };
        check(roots, capacity);
      }),
      { numRuns: 300 },
    );
  });
});
