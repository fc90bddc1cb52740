/**
 * Nothing Storage DRS does on its own stops the clock: a pass or a landing that throws is recorded as
 * StepFailed on its object, its changes dropped, and the runtime goes on (the next pass is scheduled;
 * a failed landing is called off, so the disks stay on the source and the target gets its space back).
 */
import { describe, expect, it } from "vitest";
import { executeIn } from "../../runtime/core/commands";
import { storageDrsPassTimer } from "../../runtime/core/drs/storage-drs";
import type { DatastoreRecord, VmRecord } from "../../runtime/core/kernel/model";
import { advance } from "../../runtime/core/kernel/timeline";
import { STORAGE_DRS_PASS_TASK, STORAGE_MIGRATION_TASK, type Timeline, type TimerTaskHandler } from "../../runtime/core/kernel/timers";
import { Txn } from "../../runtime/core/kernel/txn";
import { RUNTIME_TIMELINE } from "../../runtime/core/timer-handlers";
import { storageMigrationTimer } from "../../runtime/core/vms/storage-migration";
import { createWorld } from "../../runtime/core/world-setup";
import { checkInvariants } from "../../runtime/core/state-invariants";

const failing = (handler: TimerTaskHandler): TimerTaskHandler => ({
  ...handler,
  run: () => {
    throw new Error("unexpected state");
  },
});

function timeline(task: string, handler: TimerTaskHandler): Timeline {
  return { ...RUNTIME_TIMELINE, handlers: { ...RUNTIME_TIMELINE.handlers, [task]: handler } };
}

/** ds-a at 85% through the datastore cluster, ds-b at 20%: the first pass moves v1's 500 GB. */
function overfilled(world = createWorld({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 })): Txn {
  const txn = new Txn(world);
  const apply = (kind: string, name: string, spec: object) => executeIn(txn, { type: "apply", kind, name, spec, mode: "upsert" });
  apply("Datastore", "ds-a", { type: "fc", capacityGb: 1000 });
  apply("Datastore", "ds-b", { type: "fc", capacityGb: 1000 });
  apply("Cluster", "prod", {});
  apply("Host", "esx1", {
    cluster: "prod",
    hypervisor: "esx",
    memoryMb: 65536,
    cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: "intel", features: ["vmx", "ept", "lm"] },
    datastores: ["ds-a", "ds-b"],
  });
  apply("DatastoreCluster", "gold", {
    datastores: ["ds-a", "ds-b"],
    storageDrs: { automationLevel: "fullyAutomated", intervalSeconds: 3600 },
  });
  const vm = (name: string, sizeGb: number) =>
    apply("VirtualMachine", name, {
      cluster: "prod",
      vcpus: 1,
      memoryMb: 1024,
      guestOs: "linux",
      disks: [{ datastoreCluster: "gold", sizeGb }],
    });
  for (const name of ["v1", "v2", "v3"]) vm(name, 200);
  vm("v1", 500);
  vm("v3", 350);
  return txn;
}

const used = (txn: Txn, ds: string) => txn.get<DatastoreRecord>("Datastore", ds)!.status.usedGb;

describe("Storage DRS failures", () => {
  it("a pass that throws is recorded on the datastore cluster and the next pass still comes", () => {
    const txn = overfilled();
    advance(txn, 3600, timeline(STORAGE_DRS_PASS_TASK, failing(storageDrsPassTimer)));
    expect(txn.events.filter((e) => e.reason === "StepFailed").map((e) => [e.kind, e.name])).toEqual([["DatastoreCluster", "gold"]]);
    expect(txn.get<VmRecord>("VirtualMachine", "v1")!.status.storageMigration ?? null).toBeNull();
    expect(txn.pendingTimers.filter((t) => t.task === STORAGE_DRS_PASS_TASK).map((t) => t.at)).toEqual([7200]);
    // The real pass at 7200 s then moves the disks.
    advance(txn, 3600, RUNTIME_TIMELINE);
    expect(txn.get<VmRecord>("VirtualMachine", "v1")!.status.storageMigration).toMatchObject({ toDatastore: "ds-b" });
  });

  it("a landing that throws is called off: the disks stay on the source and the target gets its space back", () => {
    const txn = overfilled();
    advance(txn, 3600, RUNTIME_TIMELINE);
    expect(used(txn, "ds-b")).toBe(700);
    advance(txn, 5000, timeline(STORAGE_MIGRATION_TASK, failing(storageMigrationTimer)));
    expect(txn.events.filter((e) => e.reason === "StepFailed").map((e) => [e.kind, e.name])).toEqual([["VirtualMachine", "v1"]]);
    expect(txn.events.some((e) => e.reason === "StorageMigrationAborted" && e.name === "v1")).toBe(true);
    const v1 = txn.get<VmRecord>("VirtualMachine", "v1")!;
    expect(v1.status.diskDatastores).toEqual(["ds-a"]);
    expect(v1.status.storageMigration).toBeNull();
    expect([used(txn, "ds-a"), used(txn, "ds-b")]).toEqual([850, 200]);
  });

  it("the state check recomputes datastore usage from the placed disks and finds a wrong figure", () => {
    const world = createWorld({ clockSeconds: 0, randomState: 1, timers: [], nextTimerSeq: 0 });
    const txn = overfilled(world);
    advance(txn, 3600, RUNTIME_TIMELINE);
    world.applyChanges(txn.changes());
    const problems = () => checkInvariants(world).flatMap((c) => c.problems);
    expect(problems()).toEqual([]);
    const tamper = new Txn(world);
    const ds = tamper.get<DatastoreRecord>("Datastore", "ds-b")!;
    tamper.put<DatastoreRecord>({ ...ds, status: { ...ds.status, usedGb: 200 } }); // as if the in-flight target were not charged
    tamper.cancelTimers((t) => t.task === STORAGE_DRS_PASS_TASK);
    world.applyChanges(tamper.changes());
    expect(problems()).toEqual([
      "datastore ds-b: status.usedGb is 200, but its VMs' disks add up to 700",
      "datastore cluster gold has 0 Storage DRS passes pending; it needs exactly one",
    ]);
  });
});
