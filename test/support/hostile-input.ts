/**
 * The input contract under fire: arbitraries that take a valid spec of each kind and plant hostile
 * values in it (huge, non-finite and unsafe numbers, BigInt, circular and deeply nested values,
 * prototype keys, NUL bytes, long strings), and the check every case must pass: a refusal carries a
 * contract code and a short message and changes nothing (a full dump of the state file before and
 * after), an acceptance stores plain JSON that a fresh open returns unchanged. Either store.
 * Used by test/runtime/input-fuzz.property.test.ts (fixed seeds) and bench/input-fuzz.vitest.ts.
 */
import fc from "fast-check";
import { expect } from "vitest";
import type { Kind, ObjectInput, Runtime } from "../../runtime";
import type { StoreUnderTest } from "./stores";

export const CONTRACT_CODES = ["InvalidSpec", "NotFound", "Conflict", "Incompatible", "InsufficientCapacity", "AdmissionControl"];
/** The longest message a refusal may have: the reason, the subject and a short echo of the input. */
export const MAX_MESSAGE_CHARS = 3000;

/** A small datacenter every case starts from: one object of each kind to refer to. */
const BASE: ObjectInput[] = [
  { kind: "Cluster", name: "prod", spec: { ha: { enabled: true } } },
  { kind: "Cluster", name: "farm", spec: {} },
  { kind: "Datastore", name: "ds1", spec: { type: "nfs", capacityGb: 2000 } },
  {
    kind: "Host",
    name: "esx1",
    spec: {
      cluster: "prod",
      hypervisor: "esx",
      hypervisorVersion: "8.0",
      cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
      memoryMb: 65536,
      datastores: ["ds1"],
    },
  },
  {
    kind: "Host",
    name: "esx2",
    spec: {
      cluster: "prod",
      hypervisor: "esx",
      hypervisorVersion: "8.0",
      cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
      memoryMb: 65536,
      datastores: ["ds1"],
    },
  },
  {
    kind: "Host",
    name: "vz1",
    spec: {
      cluster: "farm",
      hypervisor: "openvz",
      cpu: { sockets: 1, coresPerSocket: 8, mhz: 2400, vendor: "intel", features: ["lm"] },
      memoryMb: 32768,
    },
  },
  { kind: "ResourcePool", name: "web", spec: { cluster: "prod", cpu: { reservationMhz: 1000 } } },
  {
    kind: "VirtualMachine",
    name: "db1",
    spec: { cluster: "prod", vcpus: 2, memoryMb: 2048, guestOs: "linux", disks: [{ datastore: "ds1", sizeGb: 20 }] },
  },
  { kind: "VirtualMachine", name: "db2", spec: { cluster: "prod", vcpus: 1, memoryMb: 1024, guestOs: "windows" } },
];

/** A valid spec of every kind: the target of one case, applied as `fuzz-<kind>`. */
export const VALID_SPECS: Record<Kind, Record<string, unknown>> = {
  Cluster: {
    drs: { automationLevel: "fullyAutomated", intervalSeconds: 600, dpm: { enabled: false } },
    ha: { enabled: true, admissionControl: { policy: "resourcePercentage", cpuPercent: 25 } },
    migration: { bandwidthMbps: 1000, maxFactor: 3 },
  },
  Host: {
    cluster: "prod",
    hypervisor: "esx",
    hypervisorVersion: "8.0",
    cpu: { sockets: 1, coresPerSocket: 4, mhz: 2000, vendor: "intel", features: ["vmx", "ept", "lm"] },
    memoryMb: 16384,
    datastores: ["ds1"],
  },
  Datastore: { type: "iscsi", capacityGb: 500 },
  ResourcePool: {
    cluster: "prod",
    parent: "web",
    cpu: { shares: "high", reservationMhz: 200, limitMhz: 4000 },
    memory: { reservationMb: 256, expandableReservation: false },
  },
  VirtualMachine: {
    cluster: "prod",
    pool: "web",
    vcpus: 2,
    memoryMb: 1024,
    guestOs: "linux",
    memory: { reservationMb: 128 },
    disks: [{ datastore: "ds1", sizeGb: 10 }],
    workload: { profile: "diurnal", cpuDemandMhz: 500, amplitude: 0.3, dirtyRateMbps: 100 },
  },
  Container: {
    cluster: "farm",
    template: "centos-5-x86_64",
    apps: ["apache"],
    memoryMb: 256,
    diskGb: 2,
    cpu: { units: 1000, limitPercent: 150 },
    workload: { cpuDemandMhz: 100, threads: 4 },
  },
  Template: { type: "os", osFamily: "linux", distribution: "debian", version: "4.0", arch: "x86" },
  Rule: { cluster: "prod", type: "antiAffinity", vms: ["db1", "db2"] },
  Alarm: { target: { kind: "Host", name: "esx1" }, metric: "hostCpuUsedPercent", threshold: 80, forSeconds: 300, severity: "critical" },
  DatastoreCluster: {
    datastores: ["ds1"],
    storageDrs: { automationLevel: "fullyAutomated", spaceThresholdPercent: 85, ioLatencyThresholdMs: 20, intervalSeconds: 3600 },
    antiAffinityRules: [{ name: "db-apart", vms: ["db1", "db2"] }],
  },
};

export const FUZZ_KINDS = Object.keys(VALID_SPECS) as Kind[];

function circular(): unknown {
  const a: Record<string, unknown> = { x: 1 };
  a.self = a;
  return a;
}

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/** One hostile value: the kinds of input that used to escape the contract, and ordinary JSON. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    1e303,
    1e308,
    -1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    2 ** 31,
    2 ** 40 + 1,
    -0,
    0.5,
    -1,
  ),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.constant(null).map(() => circular()),
  fc.constantFrom(40, 5000).map(nested),
  fc.constantFrom("__proto__", "constructor", "prototype").map((key) => JSON.parse(`{"${key}": {"x": 1}}`)),
  fc.constantFrom("a\u0000b.img", `${"x".repeat(300)}.img`, "x".repeat(70_000), "../../etc/passwd", "", " ", "\u202e", "on", "prod"),
  fc.integer({ min: -1000, max: 100_000 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(undefined, true, false, [], {}),
);

/** Where to plant a value: a key path into the spec (existing or new), possibly in a disk or the top. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

function plant(spec: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(spec) ? [...spec] : { ...(spec as object) }) as Record<string | number, unknown>;
  copy[head] = plant(copy[head], rest, value);
  return copy;
}

export interface HostileCase {
  kind: Kind;
  name: unknown;
  spec: unknown;
  generation?: unknown;
}

/** A valid spec of `kind` with one to three hostile values planted, at a known field or a new key, sometimes with a hostile name. */
export function hostileCase(kind: Kind): fc.Arbitrary<HostileCase> {
  const base = VALID_SPECS[kind];
  const targets = [...pathsOf(base), ...pathsOf(base).map((p) => [...p, "__proto__"]), ...pathsOf(base).map((p) => [...p, "extra"])].filter(
    (p) => p.length > 0,
  );
  const planting = fc.tuple(fc.constantFrom(...targets), hostileValue);
  return fc
    .record({
      plantings: fc.array(planting, { minLength: 1, maxLength: 3 }),
      name: fc.oneof({ weight: 8, arbitrary: fc.constant(`fuzz-${kind}`) }, { weight: 1, arbitrary: hostileValue }),
      generation: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostileValue }),
    })
    .map(({ plantings, name, generation }) => {
      let spec: unknown = base;
      for (const [path, value] of plantings) {
        // A key path ending in __proto__ is planted as an own key, as JSON.parse would make it.
        spec = path[path.length - 1] === "__proto__" ? plantOwnKey(spec, path.slice(0, -1), "__proto__", value) : plant(spec, path, value);
      }
      return { kind, name, spec, ...(generation === undefined ? {} : { generation }) };
    });
}

function plantOwnKey(spec: unknown, path: (string | number)[], key: string, value: unknown): unknown {
  const target = path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[k] : undefined),
    spec,
  );
  if (target === null || typeof target !== "object" || Array.isArray(target)) return spec;
  const copy = { ...(target as object) };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return plant(spec, path, copy);
}

/** A state holding BASE, started afresh now and then so dumps stay small; on either store. */
export class FuzzState {
  private rt?: Runtime;
  private location = "";
  private casesSinceReset = 0;

  constructor(private readonly store: StoreUnderTest) {}

  async reset(): Promise<void> {
    // Whatever the cases before left, the state is whole.
    if (this.rt) expect((await this.rt.checkState()).checks.flatMap((c) => c.problems)).toEqual([]);
    await this.rt?.close();
    this.location = await this.store.fresh();
    this.rt = await this.store.open(this.location);
    for (const obj of BASE) await this.rt.apply(obj);
    this.casesSinceReset = 0;
  }

  async close(): Promise<void> {
    await this.rt?.close();
  }

  /** Applies the case and checks the contract; returns whether it was accepted. */
  async check(input: HostileCase): Promise<"accepted" | "refused"> {
    if (this.casesSinceReset++ >= 200) await this.reset();
    const before = await this.store.dump(this.location);
    let result: unknown;
    try {
      result = await this.rt!.apply(input as unknown as ObjectInput);
    } catch (e) {
      const error = e as Error & { code?: unknown };
      expect(error, "a refusal is an Error").toBeInstanceOf(Error);
      expect(CONTRACT_CODES, `a contract code, got ${String(error.code)}: ${String(error.message).slice(0, 300)}`).toContain(error.code);
      expect(error.message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
      expect(await this.store.dump(this.location), "a refusal changes nothing").toBe(before);
      return "refused";
    }
    // Accepted: plain JSON (no NaN, Infinity or undefined inside), and the same after a fresh open.
    expect(JSON.parse(JSON.stringify(result))).toStrictEqual(result);
    const fresh = await this.store.open(this.location);
    try {
      expect(await fresh.get(input.kind, input.name as string)).toStrictEqual(result);
    } finally {
      await fresh.close();
    }
    return "accepted";
  }
}
