/**
 * IP address management invariants, over random sequences of what users do: declare containers with
 * explicit addresses, build, grow and shrink farms from a start address, delete containers. The model
 * below keeps each container's addresses as its status would and applies the IPAM answers the way
 * the runtime does (a conflict refuses the change).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conflicts, nextFree, reassign } from "../../../runtime/core/containers/ipam";
import { formatIpv4, parseIpv4 } from "../../../schema/ipv4";

interface State {
  book: ReadonlyMap<number, string>;
  held: Map<string, string[]>;
}

type Op =
  | { op: "explicit"; name: string; addresses: string[] }
  | { op: "farm"; prefix: string; count: number; start: string }
  | { op: "delete"; name: string };

// A small address space (10.0.0.0-10.0.0.40) and few names so that operations collide often.
const address = fc.integer({ min: 0, max: 40 }).map((n) => formatIpv4(parseIpv4("10.0.0.0") + n));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("explicit" as const),
    name: fc.constantFrom("x", "y", "z"),
    addresses: fc.uniqueArray(address, { maxLength: 3 }),
  }),
  fc.record({
    op: fc.constant("farm" as const),
    prefix: fc.constantFrom("web", "db"),
    count: fc.integer({ min: 0, max: 12 }),
    start: address,
  }),
  fc.record({ op: fc.constant("delete" as const), name: fc.constantFrom("x", "y", "web-0", "web-3", "db-1") }),
);

function release(s: State, name: string): void {
  s.book = reassign(s.book, name, s.held.get(name) ?? [], []);
  s.held.delete(name);
}

/** Applies one operation; returns the farm members that existed before and still exist, with their addresses. */
function apply(s: State, o: Op): Map<string, string[]> {
  const kept = new Map<string, string[]>();
  if (o.op === "explicit") {
    const found = conflicts(s.book, o.name, o.addresses);
    for (const c of found) expect(s.held.get(c.holder)).toContain(c.address);
    if (found.length > 0) return kept;
    s.book = reassign(s.book, o.name, s.held.get(o.name) ?? [], o.addresses);
    s.held.set(o.name, o.addresses);
  } else if (o.op === "delete") {
    release(s, o.name);
  } else {
    for (const name of [...s.held.keys()].filter((n) => n.startsWith(`${o.prefix}-`))) {
      if (Number(name.slice(o.prefix.length + 1)) >= o.count) release(s, name);
      else kept.set(name, s.held.get(name)!);
    }
    for (let i = 0; i < o.count; i++) {
      const name = `${o.prefix}-${i}`;
      if (s.held.has(name)) continue;
      const got = nextFree(s.book, name, o.start)!;
      s.book = reassign(s.book, name, [], got);
      s.held.set(name, got);
    }
  }
  return kept;
}

describe("IPAM", () => {
  it("never gives one address to two containers, and the book matches what containers hold", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const s: State = { book: new Map(), held: new Map() };
        for (const o of ops) {
          apply(s, o);
          const all = [...s.held.values()].flat();
          expect(new Set(all).size).toBe(all.length);
          expect(new Map([...s.book].map(([n, h]) => [formatIpv4(n), h]))).toEqual(
            new Map([...s.held].flatMap(([h, list]) => list.map((a) => [a, h]))),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps the addresses of the members a farm resize keeps", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        const s: State = { book: new Map(), held: new Map() };
        for (const o of ops) {
          const kept = apply(s, o);
          for (const [name, addresses] of kept) expect(s.held.get(name)).toEqual(addresses);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("builds a farm on consecutive addresses from its start, stepping over held ones", () => {
    fc.assert(
      fc.property(fc.uniqueArray(address, { maxLength: 10 }), fc.integer({ min: 1, max: 20 }), (others, count) => {
        const s: State = { book: new Map(), held: new Map() };
        others.forEach((a, i) => apply(s, { op: "explicit", name: `other${i}`, addresses: [a] }));
        apply(s, { op: "farm", prefix: "web", count, start: "10.0.0.0" });
        const farm = Array.from({ length: count }, (_, i) => parseIpv4(s.held.get(`web-${i}`)![0]));
        const taken = new Set(others.map(parseIpv4));
        // The farm's addresses are exactly the first `count` addresses from the start that others do not hold.
        const expected: number[] = [];
        for (let n = parseIpv4("10.0.0.0"); expected.length < count; n++) if (!taken.has(n)) expected.push(n);
        expect(farm).toEqual(expected);
      }),
    );
  });

  it("names the holder of a conflicting address", () => {
    const book = reassign(new Map(), "web-1", [], ["10.1.1.5"]);
    expect(conflicts(book, "db", ["10.1.1.4", "10.1.1.5"])).toEqual([{ address: "10.1.1.5", holder: "web-1" }]);
    expect(conflicts(book, "web-1", ["10.1.1.5"])).toEqual([]);
  });

  it("reports the end of the address space", () => {
    expect(nextFree(new Map(), "a", "255.255.255.254", 2)).toEqual(["255.255.255.254", "255.255.255.255"]);
    expect(nextFree(new Map(), "a", "255.255.255.254", 3)).toBeUndefined();
  });
});
