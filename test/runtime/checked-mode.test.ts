/**
 * Checked mode: the suite runs with the world freezing every record it holds (test/support/checked-records.ts),
 * so an edit in place throws; the product leaves records unfrozen (kernel/model.ts says why).
 */
import { afterEach, describe, expect, it } from "vitest";
import { setRecordFreezing } from "../../runtime/core/kernel/model";
import type { RuntimeObject } from "../../runtime/core/kernel/model";
import { createWorld } from "../../runtime/core/world-setup";

const meta = { clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 };
const record = (): RuntimeObject =>
  ({ kind: "Datastore", name: "ds1", spec: { capacityGb: 100 }, status: { usedGb: 0 }, generation: 1 }) as unknown as RuntimeObject;

describe("checked mode", () => {
  afterEach(() => setRecordFreezing(true));

  it("is on in the suite: a record the world holds cannot be edited in place", () => {
    expect(process.env.POLYVISOR_FREEZE_RECORDS).toBe("1");
    const world = createWorld(meta);
    world.put(record());
    const held = world.get("Datastore", "ds1") as unknown as { status: { usedGb: number } };
    expect(Object.isFrozen(held.status)).toBe(true);
    expect(() => {
      held.status.usedGb = 5;
    }).toThrow(TypeError);
  });

  it("off, the world holds the records it is given as they are", () => {
    setRecordFreezing(false);
    const world = createWorld(meta);
    const given = record();
    world.put(given);
    expect(world.get("Datastore", "ds1")).toBe(given);
    expect(Object.isFrozen(given)).toBe(false);
  });
});
