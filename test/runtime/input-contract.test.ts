/**
 * The input contract at the runtime's boundary, case by case: what used to escape it (TypeError,
 * RangeError, raw file-system errors, Infinity stored as null, an unbounded echo) is refused with
 * InvalidSpec naming the field, in a short message, and changes nothing.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ObjectInput, type Runtime, openRuntime } from "../../runtime";
import { MAX_ADVANCE_SECONDS, MAX_CPU_MHZ, MAX_STORAGE_GB } from "../../schema";
import { cluster, datastore, esxHost, vm } from "../support/fixtures";
import { dumpStateFile, tempDir } from "../support/state-file";

let rt: Runtime;
let path: string;
const tmp = tempDir();

beforeAll(async () => {
  path = join(tmp.dir, "state.db");
  rt = await openRuntime({ path });
  for (const obj of [cluster("prod"), datastore("ds1"), esxHost("esx1", "prod", { datastores: ["ds1"] }), vm("db1")]) await rt.apply(obj);
});

afterAll(async () => {
  await rt.close();
  tmp.cleanup();
});

async function refusal(attempt: () => Promise<unknown>): Promise<Error & { code?: string; field?: string }> {
  const before = dumpStateFile(path);
  const error = await attempt().then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string; field?: string },
  );
  expect(error, "the operation should have been refused").toBeInstanceOf(Error);
  expect(error!.message.length).toBeLessThan(600);
  expect(dumpStateFile(path)).toBe(before);
  return error!;
}

const apply = (obj: unknown) => () => rt.apply(obj as ObjectInput);

describe("values JSON cannot carry", () => {
  it("a BigInt is InvalidSpec naming the field", async () => {
    const e = await refusal(apply(vm("x", { vcpus: 2n })));
    expect([e.code, e.field]).toEqual(["InvalidSpec", "vcpus"]);
    expect(e.message).toMatch(/BigInt/);
  });

  it("a circular value is InvalidSpec, and the message does not serialize it", async () => {
    const workload: Record<string, unknown> = { cpuDemandMhz: 1 };
    workload.self = workload;
    const e = await refusal(apply(vm("x", { workload })));
    expect([e.code, e.field]).toEqual(["InvalidSpec", "workload.self"]);
    expect(e.message).toMatch(/circular/);
  });

  it("5,000 levels of nesting are InvalidSpec, without exhausting the stack", async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const e = await refusal(apply(vm("x", { workload: deep })));
    expect(e.code).toBe("InvalidSpec");
    expect(e.message).toMatch(/nested more than 32 levels/);
  });

  it("NaN and Infinity are refused wherever they are", async () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const e = await refusal(apply(vm("x", { workload: { cpuDemandMhz: bad } })));
      expect([e.code, e.field]).toEqual(["InvalidSpec", "workload.cpuDemandMhz"]);
    }
  });

  it("functions and class instances are not data", async () => {
    expect((await refusal(apply(vm("x", { memoryMb: () => 4096 })))).field).toBe("memoryMb");
    expect((await refusal(apply(vm("x", { cdrom: new Date(0) })))).message).toMatch(/plain JSON data, not a Date object/);
  });
});

describe("keys that reach a prototype", () => {
  for (const key of ["__proto__", "constructor", "prototype"]) {
    it(`${key} is refused at the top of a spec and nested`, async () => {
      const top = await refusal(
        apply({ kind: "VirtualMachine", name: "x", spec: JSON.parse(`{"cluster": "prod", "${key}": {"vcpus": 64}}`) }),
      );
      expect([top.code, top.field]).toEqual(["InvalidSpec", key]);
      const nested = await refusal(
        apply({ kind: "VirtualMachine", name: "x", spec: { ...vm("x").spec, cpu: JSON.parse(`{"${key}": {"x": 1}}`) } }),
      );
      expect([nested.code, nested.field]).toEqual(["InvalidSpec", `cpu.${key}`]);
    });
  }

  it("a spec whose prototype was set by a literal __proto__ is refused, not silently read", async () => {
    const e = await refusal(apply({ kind: "VirtualMachine", name: "x", spec: { __proto__: { vcpus: 64 }, ...vm("x").spec } }));
    expect([e.code, e.field]).toEqual(["InvalidSpec", "spec"]);
  });
});

describe("numbers within their documented bounds", () => {
  it("a huge datastore capacity is refused naming the documented limit, not the safe-integer range", async () => {
    const e = await refusal(apply({ kind: "Datastore", name: "huge", spec: { type: "nfs", capacityGb: 1e303 } }));
    expect([e.code, e.field]).toEqual(["InvalidSpec", "capacityGb"]);
    expect(e.message).toContain(`<=${MAX_STORAGE_GB}`);
  });

  it("an integer field beyond the safe range names its documented limit first", async () => {
    const e = await refusal(apply(vm("x", { memory: { reservationMb: 1e300 } })));
    expect(e.field).toBe("memory.reservationMb");
    expect(e.message).not.toContain("9007199254740991");
    expect(e.message).toMatch(/<=1099511627776/);
  });

  it("a CPU demand of 1e308 is refused; the largest allowed one is stored as a finite number", async () => {
    const e = await refusal(apply(vm("x", { workload: { cpuDemandMhz: 1e308 } })));
    expect(e.message).toContain(`<=${MAX_CPU_MHZ}`);
    const ok = await rt.apply(vm("busy", { workload: { cpuDemandMhz: MAX_CPU_MHZ } }));
    const reopened = await openRuntime({ path });
    try {
      expect(await reopened.get("VirtualMachine", "busy")).toEqual(ok);
      const demand = (ok.status as { cpuDemandMhz: unknown }).cpuDemandMhz;
      expect(Number.isFinite(demand), `cpuDemandMhz ${String(demand)}`).toBe(true);
    } finally {
      await reopened.close();
      await rt.delete("VirtualMachine", "busy");
    }
  });

  it("a generation must be a whole number >= 1", async () => {
    for (const generation of [0, 1.5, -1, 1e300]) {
      const e = await refusal(apply({ ...vm("db1"), generation }));
      expect([e.code, e.field]).toEqual(["InvalidSpec", "generation"]);
    }
  });
});

describe("messages never echo an unbounded value", () => {
  it("a megabyte name is shown as a short prefix", async () => {
    const e = await refusal(apply(vm("n".repeat(1_000_000))));
    expect([e.code, e.field]).toEqual(["InvalidSpec", "name"]);
  });

  it("a long string in a field is shown as a short prefix with its length", async () => {
    const e = await refusal(apply(vm("x", { guestOs: "z".repeat(50_000) })));
    expect(e.field).toBe("guestOs");
    expect(e.message).toMatch(/\.\.\. \(50002 characters\)/);
  });
});

describe("validation before I/O", () => {
  it("an importFrom with a NUL byte is InvalidSpec from the schema, not a raw file-system error", async () => {
    const e = await refusal(apply(vm("p2v", { disks: [{ datastore: "ds1", importFrom: "disk\u0000.img" }] })));
    expect([e.code, e.field]).toEqual(["InvalidSpec", "disks.0.importFrom"]);
    expect(e.message).toMatch(/NUL/);
  });

  it("a 300-character file name is refused naming the field", async () => {
    const e = await refusal(apply(vm("p2v", { disks: [{ datastore: "ds1", importFrom: join(tmp.dir, `${"x".repeat(300)}.img`) }] })));
    expect([e.code, e.field]).toEqual(["InvalidSpec", "disks.0.importFrom"]);
    expect(e.message).toMatch(/too long/);
  });

  it("a bad spec is refused before its image is read", async () => {
    const image = join(tmp.dir, "not-an-image.img");
    writeFileSync(image, "plain text");
    const e = await refusal(apply(vm("p2v", { vcpus: 0, disks: [{ datastore: "ds1", importFrom: image }] })));
    expect(e.field).toBe("vcpus");
  });
});

describe("advance", () => {
  it("refuses more than the cap per call, naming it", async () => {
    for (const seconds of [1e308, MAX_ADVANCE_SECONDS + 1]) {
      const e = await refusal(() => rt.advance(seconds));
      expect([e.code, e.field]).toEqual(["InvalidSpec", "seconds"]);
      expect(e.message).toContain(`at most ${MAX_ADVANCE_SECONDS} seconds (366 days)`);
    }
    for (const seconds of [Number.NaN, -1, "60" as unknown as number])
      expect((await refusal(() => rt.advance(seconds))).code).toBe("InvalidSpec");
  });
});

describe("every numeric spec field has a documented upper bound", () => {
  it("below the safe-integer range, so sums over a state stay finite", async () => {
    const { SPEC_SCHEMAS } = await import("../../schema");
    const { z } = await import("zod");
    const unbounded: string[] = [];
    let numeric = 0;
    const visit = (s: Record<string, unknown>, at: string) => {
      if (s.type === "number" || s.type === "integer") numeric++;
      if ((s.type === "number" || s.type === "integer") && !(typeof s.maximum === "number" && s.maximum < Number.MAX_SAFE_INTEGER))
        unbounded.push(at);
      for (const [k, child] of Object.entries((s.properties as Record<string, Record<string, unknown>>) ?? {})) visit(child, `${at}.${k}`);
      if (s.items) visit(s.items as Record<string, unknown>, `${at}[]`);
      for (const option of (s.anyOf as Record<string, unknown>[]) ?? []) visit(option, at);
    };
    for (const [kind, schema] of Object.entries(SPEC_SCHEMAS))
      visit(z.toJSONSchema(schema as never, { io: "input", unrepresentable: "any" }) as Record<string, unknown>, kind);
    expect(unbounded).toEqual([]);
    expect(numeric).toBeGreaterThan(50);
  });
});
