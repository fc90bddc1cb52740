/**
 * Random sequences over datastore clusters: VMs with disks on datastores or datastore clusters, powered
 * on or off, pinned or not, deleted; datastore clusters changed (members, automation, threshold,
 * anti-affinity rules); hosts failing and recovering; the clock advancing through Storage DRS passes
 * and storage migrations. Every refusal carries a contract code, the clock always advances, and the
 * state check (each datastore's used space recomputed from the placed disks and incoming storage
 * migrations, one pass pending per datastore cluster) holds after every step.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ObjectInput, type Runtime, openRuntime } from "../../runtime";
import { cluster, datastore, esxHost, vm } from "../support/fixtures";

const CODES = ["InvalidSpec", "NotFound", "Conflict", "Incompatible", "InsufficientCapacity", "AdmissionControl"];
const VMS = ["v1", "v2", "v3", "v4", "v5"];
const DATASTORES = ["ds1", "ds2", "ds3"];

type Op = { apply: ObjectInput } | { delete: string } | { advance: number } | { fail: string } | { recover: string };

const disk = fc.record({ inPod: fc.boolean(), ds: fc.constantFrom(...DATASTORES), sizeGb: fc.integer({ min: 10, max: 250 }) });
const vmOp: fc.Arbitrary<Op> = fc
  .record({
    name: fc.constantFrom(...VMS),
    disks: fc.array(disk, { minLength: 1, maxLength: 2 }),
    on: fc.boolean(),
    host: fc.option(fc.constantFrom("esx1", "esx2"), { nil: undefined }),
  })
  .map((v) => ({
    apply: vm(v.name, {
      vcpus: 1,
      memoryMb: 1024,
      powerState: v.on ? "on" : "off",
      ...(v.host ? { host: v.host } : {}),
      disks: v.disks.map((d) => (d.inPod ? { datastoreCluster: "gold", sizeGb: d.sizeGb } : { datastore: d.ds, sizeGb: d.sizeGb })),
    }),
  }));
const podOp: fc.Arbitrary<Op> = fc
  .record({
    members: fc.subarray(DATASTORES, { minLength: 1 }),
    automated: fc.boolean(),
    threshold: fc.integer({ min: 50, max: 80 }),
    rule: fc.option(fc.uniqueArray(fc.constantFrom(...VMS), { minLength: 2, maxLength: 3 }), { nil: undefined }),
  })
  .map((p) => ({
    apply: {
      kind: "DatastoreCluster",
      name: "gold",
      spec: {
        datastores: p.members,
        storageDrs: {
          automationLevel: p.automated ? "fullyAutomated" : "manual",
          spaceThresholdPercent: p.threshold,
          intervalSeconds: 3600,
        },
        antiAffinityRules: p.rule ? [{ name: "apart", vms: p.rule }] : [],
      },
    },
  }));
/** Space taken outside the datastore cluster's control, on one member: what unbalances the members. */
const fillOp: fc.Arbitrary<Op> = fc
  .record({ name: fc.constantFrom("fill1", "fill2"), ds: fc.constantFrom(...DATASTORES), sizeGb: fc.integer({ min: 50, max: 300 }) })
  .map((f) => ({ apply: vm(f.name, { vcpus: 1, memoryMb: 512, powerState: "off", disks: [{ datastore: f.ds, sizeGb: f.sizeGb }] }) }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fillOp },
  { weight: 8, arbitrary: vmOp },
  { weight: 1, arbitrary: podOp },
  { weight: 1, arbitrary: fc.constantFrom(...VMS).map((name) => ({ delete: name })) },
  { weight: 3, arbitrary: fc.integer({ min: 60, max: 8 * 3600 }).map((seconds) => ({ advance: seconds })) },
  { weight: 1, arbitrary: fc.constantFrom("esx1", "esx2").map((name) => ({ fail: name })) },
  { weight: 1, arbitrary: fc.constantFrom("esx1", "esx2").map((name) => ({ recover: name })) },
);

async function perform(rt: Runtime, o: Op): Promise<void> {
  if ("apply" in o) await rt.apply(o.apply);
  else if ("delete" in o) await rt.delete("VirtualMachine", o.delete);
  else if ("fail" in o) await rt.failHost(o.fail);
  else if ("recover" in o) await rt.recoverHost(o.recover);
  else {
    const before = await rt.now();
    await rt.advance(o.advance);
    expect(await rt.now()).toBe(before + o.advance);
  }
}

describe("Storage DRS under random operations", () => {
  it("refuses only with contract codes, never stops the clock, and keeps datastore usage exact", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 24 }), async (ops) => {
        const rt = await openRuntime({ path: ":memory:" });
        try {
          for (const ds of DATASTORES) await rt.apply(datastore(ds, "iscsi", 400));
          await rt.apply(cluster("prod"));
          await rt.apply(esxHost("esx1", "prod", { datastores: DATASTORES }));
          await rt.apply(esxHost("esx2", "prod", { datastores: ["ds1", "ds2"] }));
          await rt.apply({
            kind: "DatastoreCluster",
            name: "gold",
            spec: { datastores: DATASTORES, storageDrs: { automationLevel: "fullyAutomated", intervalSeconds: 3600 } },
          });
          for (const o of ops) {
            await perform(rt, o).catch((e: unknown) => {
              const code = (e as { code?: string }).code;
              if (!CODES.includes(code ?? "")) throw e;
              expect("advance" in o, `an advance was refused: ${(e as Error).message}`).toBe(false);
            });
            const check = await rt.checkState();
            expect(check.checks.flatMap((c) => c.problems)).toEqual([]);
          }
          const failed = (await rt.events()).filter((e) => e.reason === "StepFailed");
          expect(failed.map((e) => `${e.kind} ${e.name}: ${e.message}`)).toEqual([]);
        } finally {
          await rt.close();
        }
      }),
      { numRuns: 300 },
    );
  });
});
