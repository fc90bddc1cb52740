/** Txn.related answers from the world's sorted index plus the operation's own changes: checked against a scan. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RuntimeObject } from "../../runtime/core/kernel/model";
import { createWorld } from "../../runtime/core/world-setup";
import { Txn } from "../../runtime/core/kernel/txn";

const HOSTS = ["h1", "h2", "h3"];
const vm = (name: string, host: string | null): RuntimeObject => ({
  kind: "VirtualMachine",
  name,
  spec: {},
  status: { currentHost: host },
  generation: 1,
});
const op = fc.record({
  name: fc.constantFrom("a", "b", "c", "d", "e"),
  host: fc.option(fc.constantFrom(...HOSTS), { nil: null }),
  remove: fc.boolean(),
});

describe("Txn.related", () => {
  it("equals a scan of the operation's view after any puts and removes, in the world and in the Txn", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), fc.array(op, { maxLength: 20 }), (committed, pending) => {
        const world = createWorld({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 });
        const apply = (txn: Txn, o: { name: string; host: string | null; remove: boolean }) =>
          o.remove ? txn.remove("VirtualMachine", o.name) : txn.put(vm(o.name, o.host));
        const first = new Txn(world);
        committed.forEach((o) => apply(first, o));
        world.applyChanges(first.changes());
        for (const h of HOSTS) world.relatedSorted("vmsOnHost", h); // warm the cache that changes must invalidate
        const txn = new Txn(world);
        pending.forEach((o) => apply(txn, o));
        for (const h of HOSTS) {
          const scanned = txn
            .list("VirtualMachine")
            .filter((v) => (v.status as { currentHost: string | null }).currentHost === h)
            .map((v) => v.name);
          expect(txn.related("vmsOnHost", h)).toEqual(scanned);
        }
        world.applyChanges(txn.changes());
        for (const h of HOSTS) {
          const scanned = world
            .list("VirtualMachine")
            .filter((v) => (v.status as { currentHost: string | null }).currentHost === h)
            .map((v) => v.name);
          expect([...world.relatedSorted("vmsOnHost", h)]).toEqual(scanned);
        }
      }),
      { numRuns: 300 },
    );
  });
});
