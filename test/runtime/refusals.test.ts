/**
 * Every bad input is refused with a code and a message naming the object, the field and the
 * reason, and leaves the state file exactly as it was.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { join } from "node:path";
import { type Runtime, openRuntime } from "../../runtime";
import { cluster, esxHost, pool, vm } from "../support/fixtures";
import { expectRefusalKeepsFile, tempDir } from "../support/state-file";

let rt: Runtime;
let path: string;
const tmp = tempDir();

beforeAll(async () => {
  path = join(tmp.dir, "state.db");
  rt = await openRuntime({ path });
  for (const obj of [cluster("prod"), esxHost("esx1"), esxHost("esx2"), pool("web", { cpu: { reservationMhz: 4000 } }), vm("db1")])
    await rt.apply(obj);
});

afterAll(async () => {
  await rt.close();
  tmp.cleanup();
});

const expectRefusal = (attempt: () => Promise<unknown>, code: string, ...fragments: (string | RegExp)[]) =>
  expectRefusalKeepsFile(path, attempt, code, ...fragments);

describe("refused operations change nothing", () => {
  it("unknown kind", async () => {
    await expectRefusal(
      () => rt.apply({ kind: "Blade" as never, name: "b1", spec: {} }),
      "InvalidSpec",
      "Blade b1",
      "field kind",
      "unknown kind",
    );
  });

  it("a container from a template that does not exist", async () => {
    await expectRefusal(
      () => rt.apply({ kind: "Container", name: "ct1", spec: { cluster: "prod", template: "beos-5", memoryMb: 256, diskGb: 1 } }),
      "NotFound",
      "Container ct1",
      "field template",
      "Template beos-5 does not exist",
    );
  });

  it("missing required field", async () => {
    await expectRefusal(
      () => rt.apply({ kind: "VirtualMachine", name: "x", spec: { cluster: "prod", vcpus: 1, guestOs: "linux" } }),
      "InvalidSpec",
      "VirtualMachine x",
      "field memoryMb",
      /expected number/,
    );
  });

  it("VM with neither cluster nor host", async () => {
    await expectRefusal(
      () => rt.apply({ kind: "VirtualMachine", name: "x", spec: { vcpus: 1, memoryMb: 512, guestOs: "linux" } }),
      "InvalidSpec",
      "field cluster",
      "either cluster or host",
    );
  });

  it("negative memory", async () => {
    await expectRefusal(() => rt.apply(vm("x", { memoryMb: -512 })), "InvalidSpec", "VirtualMachine x", "field memoryMb", "(got -512)");
  });

  it("unknown field", async () => {
    await expectRefusal(() => rt.apply(vm("x", { memoryGb: 4 })), "InvalidSpec", "field memoryGb", "Unrecognized key");
  });

  it("reservation above limit", async () => {
    await expectRefusal(
      () => rt.apply(vm("x", { cpu: { reservationMhz: 2000, limitMhz: 1000 } })),
      "InvalidSpec",
      "field cpu.reservationMhz",
      "must not exceed limitMhz",
    );
  });

  it("unknown host", async () => {
    await expectRefusal(
      () => rt.apply(vm("x", { host: "esx9" })),
      "NotFound",
      "VirtualMachine x",
      "field host",
      "Host esx9 does not exist",
    );
  });

  it("unknown pool", async () => {
    await expectRefusal(() => rt.apply(vm("x", { pool: "nope" })), "NotFound", "field pool", "ResourcePool nope does not exist");
  });

  it("unknown cluster for a host", async () => {
    await expectRefusal(() => rt.apply(esxHost("esx9", "dev")), "NotFound", "Host esx9", "field cluster", "Cluster dev does not exist");
  });

  it("reservation larger than any host lists every host with its reason", async () => {
    await expectRefusal(
      () => rt.apply(vm("huge", { memory: { reservationMb: 70000 } })),
      "InsufficientCapacity",
      "VirtualMachine huge",
      /esx1: needs 70000 MB reserved memory \(incl\. overhead\), \d+ MB unreserved/,
      /esx2: needs 70000 MB reserved memory/,
    );
  });

  it("reservation larger than the cluster names the cluster and shows the arithmetic", async () => {
    await expectRefusal(
      () => rt.apply(vm("huger", { cpu: { reservationMhz: 90000 } })),
      "InsufficientCapacity",
      "field cpu.reservationMhz",
      "cluster prod has 79200 MHz unreserved (capacity 83200, reserved 4000)",
    );
  });

  it("duplicate name on create", async () => {
    await expectRefusal(() => rt.create(vm("db1")), "Conflict", "VirtualMachine db1", "field name", "already exists");
  });

  it("names with spaces or __proto__", async () => {
    await expectRefusal(() => rt.apply(vm("my vm")), "InvalidSpec", 'VirtualMachine "my vm"', "field name", "letters, digits");
    await expectRefusal(() => rt.apply(vm("__proto__")), "InvalidSpec", 'VirtualMachine "__proto__"', "field name");
    await expectRefusal(() => rt.apply(cluster("constructor ")), "InvalidSpec", "field name");
  });

  it("a spec that is not an object", async () => {
    await expectRefusal(() => rt.apply({ kind: "Cluster", name: "c", spec: "fast" as never }), "InvalidSpec", "Cluster c", "field spec");
  });

  it("incompatible guest everywhere gives Incompatible", async () => {
    await expectRefusal(() => rt.apply(vm("wide", { vcpus: 32 })), "Incompatible", "needs 32 vCPUs, the host has 16 cores");
  });

  it("deleting a cluster still in use lists what uses it", async () => {
    await expectRefusal(
      () => rt.delete("Cluster", "prod"),
      "Conflict",
      "Cluster prod",
      "Host esx1",
      "ResourcePool web",
      "VirtualMachine db1",
    );
  });

  it("deleting a host that runs VMs", async () => {
    const host = (await rt.get("VirtualMachine", "db1"))!.status as { currentHost: string };
    await expectRefusal(() => rt.delete("Host", host.currentHost), "Conflict", `Host ${host.currentHost}`, "VirtualMachine db1 (running)");
  });

  it("deleting something that does not exist", async () => {
    await expectRefusal(() => rt.delete("VirtualMachine", "ghost"), "NotFound", "VirtualMachine ghost");
  });

  it("shrinking a host below what its VMs reserve", async () => {
    await rt.apply(vm("pinned", { host: "esx2", memory: { reservationMb: 30000 } }));
    await expectRefusal(
      () => rt.apply(esxHost("esx2", "prod", { memoryMb: 16384 })),
      "InsufficientCapacity",
      "Host esx2",
      "field memoryMb",
      "running VMs reserve 30000 MB",
    );
  });

  it("a pool whose reservation does not fit its parent", async () => {
    await expectRefusal(
      () => rt.apply(pool("big", { cpu: { reservationMhz: 100000 } })),
      "InsufficientCapacity",
      "ResourcePool big",
      "cluster prod has",
    );
  });

  it("a pool that would be its own ancestor", async () => {
    await rt.apply(pool("child", { parent: "web" }));
    await expectRefusal(
      () => rt.apply(pool("web", { parent: "child", cpu: { reservationMhz: 4000 } })),
      "InvalidSpec",
      "ResourcePool web",
      "field parent",
      "own ancestor",
    );
  });
});
