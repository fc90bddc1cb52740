/**
 * Each index declares what its key reads (kernel/indexes.ts), and a new version whose declared parts are
 * the same values keeps its keys without working them out. So a key must read nothing else: every key
 * runs here over an object whose spec and status record each field read, with values that take every
 * branch (a migration, a restart, disks in a datastore cluster).
 */
import { describe, expect, it } from "vitest";
import { INDEXES, type IndexName } from "../../runtime/core/kernel/indexes";
import type { RuntimeObject } from "../../runtime/core/kernel/model";

const STATUS: Record<string, unknown> = {
  currentHost: "h1",
  cluster: "c1",
  migration: { toHost: "h2", fromHost: "h1" },
  haRestart: { state: "waiting" },
  diskDatastores: ["ds2", "ds3"],
  storageMigration: { toDatastore: "ds4" },
  ipAddresses: ["10.0.0.1"],
};
const SPEC: Record<string, unknown> = {
  cluster: "c1",
  pool: "p1",
  host: "h1",
  parent: "p0",
  datastores: ["ds1"],
  disks: [{ datastore: "ds1" }, { datastoreCluster: "dsc1" }],
  template: "t1",
  apps: ["a1"],
  antiAffinityRules: [{ vms: ["v1"] }],
};

/** The object, and the fields its key read from the spec and the status. */
function recorded(kind: string): { obj: RuntimeObject; spec: Set<string>; status: Set<string> } {
  const spec = new Set<string>();
  const status = new Set<string>();
  const watch = (values: Record<string, unknown>, read: Set<string>) =>
    new Proxy(values, { get: (target, field) => (typeof field === "string" && read.add(field), target[field as string]) });
  const obj = { kind, name: "x", spec: watch(SPEC, spec), status: watch(STATUS, status), generation: 1 } as unknown as RuntimeObject;
  return { obj, spec, status };
}

describe("index keys read only what their index declares", () => {
  for (const [name, def] of Object.entries(INDEXES) as [IndexName, (typeof INDEXES)[IndexName]][]) {
    it(name, () => {
      const { obj, spec, status } = recorded(def.kind);
      def.key(obj);
      const reads = def.reads as "spec" | { status: readonly string[]; spec?: true };
      if (reads === "spec") {
        expect([...status]).toEqual([]);
        expect(spec.size).toBeGreaterThan(0);
      } else {
        expect([...status].every((f) => reads.status.includes(f))).toBe(true);
        if (!reads.spec) expect([...spec]).toEqual([]);
      }
    });
  }
});
