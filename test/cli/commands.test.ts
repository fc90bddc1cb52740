/**
 * Every command as an operator runs it: the compiled CLI in a child process on a real state file in a
 * temporary folder, its output through a pipe, its exit code, and the state afterwards read back
 * through a separate connection.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContainerObject, type HostObject, type VirtualMachineObject, openRuntime } from "../../runtime";
import { CLI, runCliProcess } from "../support/cli-process";
import { dumpStateFile, tempDir } from "../support/state-file";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const state = join(tmp.dir, "dc.db");
const polyvisor = (...args: string[]) => runCliProcess(tmp.dir, ["--state", state, ...args]);
const pipeIn = (input: string, ...args: string[]) => runCliProcess(tmp.dir, ["--state", state, ...args], { input });

async function read<T>(kind: "VirtualMachine" | "Host" | "Container", name: string): Promise<T> {
  const rt = await openRuntime({ path: state, create: false });
  try {
    return (await rt.get(kind, name)) as T;
  } finally {
    await rt.close();
  }
}

const CPU = "cpu: { sockets: 2, coresPerSocket: 8, mhz: 2600, vendor: intel, features: [vmx, ept, lm] }";
const DATACENTER = `
kind: Cluster
name: prod
spec: {}
---
kind: Datastore
name: nfs1
spec: { type: nfs, capacityGb: 2000 }
---
kind: Host
name: esx1
spec: { cluster: prod, hypervisor: esx, datastores: [nfs1], ${CPU}, memoryMb: 65536 }
---
kind: Host
name: esx2
spec: { cluster: prod, hypervisor: esx, datastores: [nfs1], ${CPU}, memoryMb: 65536 }
---
kind: Host
name: ovz1
spec: { hypervisor: openvz, cpu: { coresPerSocket: 4, mhz: 2000, vendor: intel, features: [lm] }, memoryMb: 16384 }
---
kind: Host
name: ovz2
spec: { hypervisor: openvz, cpu: { coresPerSocket: 4, mhz: 2000, vendor: intel, features: [lm] }, memoryMb: 16384 }
---
kind: Host
name: xen1
spec: { hypervisor: xen, datastores: [nfs1], cpu: { coresPerSocket: 4, mhz: 2000, vendor: intel, features: [lm, vmx] }, memoryMb: 16384 }
---
- { kind: VirtualMachine, name: db1, spec: { cluster: prod, host: esx1, vcpus: 2, memoryMb: 4096, guestOs: linux } }
- { kind: VirtualMachine, name: web1, spec: { cluster: prod, vcpus: 2, memoryMb: 2048, guestOs: linux } }
`;

beforeAll(() => {
  expect(existsSync(CLI), "run `npm run build` first").toBe(true);
  writeFileSync(join(tmp.dir, "dc.yaml"), DATACENTER);
});

describe("polyvisor commands on a real state file", () => {
  it("--version and --help (with the exit codes) exit 0", () => {
    const version = polyvisor("--version");
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = polyvisor("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("3  the state cannot be used");
    const apply = polyvisor("apply", "--help");
    expect(apply.stdout).toContain("$ polyvisor apply -f datacenter.yaml");
  });

  it("apply -f creates every object of a multi-document file, then reports them unchanged", async () => {
    const r = polyvisor("apply", "-f", "dc.yaml");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      "Cluster prod created",
      "Datastore nfs1 created",
      ...["esx1", "esx2", "ovz1", "ovz2", "xen1"].map((h) => `Host ${h} created`),
      "VirtualMachine db1 created",
      "VirtualMachine web1 created",
    ]);
    expect((await read<VirtualMachineObject>("VirtualMachine", "db1")).status.currentHost).toBe("esx1");
    expect(polyvisor("apply", "-f", "dc.yaml").stdout).toContain("VirtualMachine db1 unchanged");
  });

  it("apply --dry-run says what would change and what would be refused, and changes nothing", () => {
    const before = dumpStateFile(state);
    const change = [
      "kind: VirtualMachine\nname: db1\nspec: { cluster: prod, host: esx1, vcpus: 4, memoryMb: 4096, guestOs: linux }",
      "kind: VirtualMachine\nname: huge\nspec: { cluster: prod, vcpus: 2, memoryMb: 1e300, guestOs: linux }",
      "kind: VirtualMachine\nname: new1\nspec: { cluster: prod, vcpus: 1, memoryMb: 512, guestOs: linux }",
    ].join("\n---\n");
    const r = pipeIn(change, "apply", "-f", "-", "--dry-run");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("VirtualMachine db1 would be configured");
    // The documented limit is named, not zod's safe-integer bound.
    expect(r.stdout).toMatch(/VirtualMachine huge would be refused: InvalidSpec: VirtualMachine huge: field memoryMb: .*<=25165824/);
    expect(r.stdout).not.toContain("9007199254740991");
    expect(r.stdout).toContain("VirtualMachine new1 would be created");
    expect(dumpStateFile(state)).toBe(before);
  });

  it("apply reads JSON from stdin; malformed input exits 2, a bad object 1, and neither changes anything", async () => {
    const json = JSON.stringify({
      kind: "VirtualMachine",
      name: "app1",
      spec: { cluster: "prod", vcpus: 1, memoryMb: 1024, guestOs: "linux" },
    });
    expect(pipeIn(json, "apply", "-f", "-").code).toBe(0);
    expect((await read<VirtualMachineObject>("VirtualMachine", "app1")).status.powerState).toBe("on");
    const before = dumpStateFile(state);
    const syntax = pipeIn("kind: [unclosed", "apply", "-f", "-");
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/^polyvisor: stdin: document 1: /);
    const shape = pipeIn("kind: Spaceship\nname: x\nspec: {}", "apply", "-f", "-");
    expect(shape.code).toBe(1);
    expect(shape.stderr).toMatch(/InvalidSpec: Spaceship x: field kind/);
    expect(polyvisor("apply", "-f", "missing.yaml").code).toBe(2);
    expect(dumpStateFile(state)).toBe(before);
  });

  it("a 10 MB name comes back as a short prefix in the error", () => {
    const name = "n".repeat(10 * 1024 * 1024);
    const r = pipeIn(
      JSON.stringify({ kind: "VirtualMachine", name, spec: { cluster: "prod", vcpus: 1, memoryMb: 512, guestOs: "linux" } }),
      "--json",
      "apply",
      "-f",
      "-",
    );
    expect(r.code).toBe(1);
    expect(r.stderr.length).toBeLessThan(3000);
    const error = JSON.parse(r.stderr);
    expect(error).toMatchObject({ code: "InvalidSpec", kind: "VirtualMachine", field: "name" });
    expect(error.name.length).toBeLessThanOrEqual(100);
  });

  it("apply --expect-generation refuses a stale copy with Conflict instead of undoing another writer's change", async () => {
    const stale = polyvisor("get", "vm", "web1", "-o", "yaml").stdout;
    expect(stale).toMatch(/^generation: \d+$/m);
    const theirs = pipeIn(stale.replace(/memoryMb: \d+/, "memoryMb: 3072"), "apply", "-f", "-");
    expect(theirs.code, theirs.stderr).toBe(0);
    const mine = pipeIn(stale.replace(/vcpus: \d+/, "vcpus: 4"), "--json", "apply", "-f", "-", "--expect-generation");
    expect(mine.code).toBe(1);
    expect(JSON.parse(mine.stdout)[0]).toMatchObject({ outcome: "refused", error: { code: "Conflict" } });
    expect((await read<VirtualMachineObject>("VirtualMachine", "web1")).spec).toMatchObject({ memoryMb: 3072, vcpus: 2 });
    const bare = pipeIn(JSON.stringify({ kind: "VirtualMachine", name: "web1", spec: {} }), "apply", "-f", "-", "--expect-generation");
    expect(bare.code).toBe(2);
  });

  it("get lists a kind as a table, or one object whole as JSON or YAML; describe adds its events", () => {
    const list = polyvisor("get", "vm");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+POWER\s+HOST\s+VCPUS\s+MEM MB$/m);
    expect(list.stdout).toMatch(/^db1\s+on\s+esx1\s+2\s+4096$/m);
    const one = JSON.parse(polyvisor("get", "VirtualMachine", "db1", "-o", "json").stdout);
    expect(one).toMatchObject({ kind: "VirtualMachine", name: "db1", spec: { vcpus: 2 }, status: { currentHost: "esx1" } });
    expect(JSON.parse(polyvisor("--json", "get", "host").stdout).map((h: HostObject) => h.name)).toEqual([
      "esx1",
      "esx2",
      "ovz1",
      "ovz2",
      "xen1",
    ]);
    const yaml = polyvisor("get", "vm", "db1", "-o", "yaml").stdout;
    expect(yaml).toMatch(/^kind: VirtualMachine\nname: db1\nspec:\n/);
    // What get prints applies back: unchanged as it is, configured once edited.
    expect(pipeIn(yaml, "apply", "-f", "-").stdout.trim()).toBe("VirtualMachine db1 unchanged");
    const described = polyvisor("describe", "vm", "db1");
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/Spec:\n[\s\S]*Status:\n[\s\S]*Events \(last 20\):\n[\s\S]*VirtualMachine db1 {2}Placed/);
    expect(polyvisor("get", "vm", "nope").code).toBe(1);
    expect(polyvisor("get", "spaceship").code).toBe(2);
    expect(polyvisor("get", "vm", "-o", "xml").code).toBe(2);
    expect(polyvisor("describe", "host", "nope").code).toBe(1);
  });

  it("vm stop, start, restart and migrate change the VM; migrate waits for the live migration to land", async () => {
    expect(polyvisor("vm", "stop", "web1").code).toBe(0);
    expect((await read<VirtualMachineObject>("VirtualMachine", "web1")).status.powerState).toBe("off");
    expect(polyvisor("vm", "start", "web1").code).toBe(0);
    expect((await read<VirtualMachineObject>("VirtualMachine", "web1")).status.powerState).toBe("on");
    const restart = polyvisor("vm", "restart", "web1");
    expect(restart.code).toBe(0);
    expect(restart.stdout).toMatch(/PoweredOff[\s\S]*PoweredOn/);
    const migrate = polyvisor("vm", "migrate", "db1", "esx2");
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toMatch(/VirtualMachine db1 {2}Migrated: moved from esx1 to esx2/);
    const db1 = await read<VirtualMachineObject>("VirtualMachine", "db1");
    expect(db1.status.currentHost).toBe("esx2");
    expect(db1.status.migration).toBeNull();
    expect(polyvisor("vm", "migrate", "db1", "esx9").code).toBe(1);
    expect(polyvisor("vm", "stop", "nope").code).toBe(1);
  });

  it("vm fail stops the guest's heartbeats (VM Monitoring off here: it stays); a bad mode is bad usage", async () => {
    const fail = polyvisor("vm", "fail", "web1");
    expect(fail.code, fail.stderr).toBe(0);
    expect(fail.stdout).toMatch(/GuestHeartbeatLost/);
    expect((await read<VirtualMachineObject>("VirtualMachine", "web1")).status.guestHealth).toBeDefined();
    expect(polyvisor("vm", "fail", "web1", "--mode", "melt").code).toBe(2);
    expect(polyvisor("vm", "fail", "nope").code).toBe(1);
  });

  it("host maintenance enter waits for the evacuation, with progress on stderr; exit, fail and recover", async () => {
    // A guest on esx1 that may leave: placed there by a pin, then unpinned (it stays where it runs).
    const mover = (host?: string) =>
      JSON.stringify({
        kind: "VirtualMachine",
        name: "mover",
        spec: { cluster: "prod", vcpus: 1, memoryMb: 1024, guestOs: "linux", ...(host ? { host } : {}) },
      });
    expect(pipeIn(mover("esx1"), "apply", "-f", "-").code).toBe(0);
    const unpin = pipeIn(mover(), "apply", "-f", "-");
    expect(unpin.code, unpin.stdout + unpin.stderr).toBe(0);
    expect((await read<VirtualMachineObject>("VirtualMachine", "mover")).status.currentHost).toBe("esx1");
    const enter = polyvisor("host", "maintenance", "enter", "esx1");
    expect(enter.code, enter.stderr).toBe(0);
    // Progress on stderr while the clock moves, so stdout stays the result.
    expect(enter.stderr).toMatch(/^evacuating esx1: \d+ guest\(s\) left at /m);
    expect(enter.stdout).toMatch(/MaintenanceEntered/);
    expect((await read<HostObject>("Host", "esx1")).status.state).toBe("maintenance");
    expect((await read<VirtualMachineObject>("VirtualMachine", "mover")).status.currentHost).toBe("esx2");
    const exit = polyvisor("--json", "host", "maintenance", "exit", "esx1");
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toBe("");
    expect(JSON.parse(exit.stdout).object.status.state).toBe("connected");
    const fail = polyvisor("host", "fail", "esx1", "--mode", "isolation");
    expect(fail.code).toBe(0);
    expect(fail.stdout).toContain("HA acts as the clock moves");
    expect(polyvisor("host", "fail", "esx1", "--mode", "melt").code).toBe(2);
    expect(polyvisor("host", "recover", "esx1").code).toBe(0);
    expect(polyvisor("host", "recover", "nope").code).toBe(1);
  });

  it("ct create, set, stop, start, migrate and list, as vzctl and vzlist do", async () => {
    const create = polyvisor(
      "ct",
      "create",
      "101",
      "--template",
      "centos-5-x86_64",
      "--ipadd",
      "10.0.0.5",
      "--host",
      "ovz1",
      "--hostname",
      "web.example.com",
    );
    expect(create.code, create.stderr).toBe(0);
    let ct = await read<ContainerObject>("Container", "101");
    expect(ct.status).toMatchObject({ currentHost: "ovz1", state: "running", ipAddresses: ["10.0.0.5"] });
    expect(polyvisor("ct", "set", "101", "--memory", "1024", "--cpuunits", "2000", "--ipadd", "10.0.0.6", "--ipdel", "10.0.0.5").code).toBe(
      0,
    );
    ct = await read<ContainerObject>("Container", "101");
    expect(ct.spec).toMatchObject({ memoryMb: 1024, ipAddresses: ["10.0.0.6"], cpu: { units: 2000 } });
    expect(polyvisor("ct", "set", "101", "--memory", "lots").code).toBe(2);
    expect(polyvisor("ct", "set", "101", "--memory", "1").code).toBe(1);
    const migrate = polyvisor("ct", "migrate", "101", "ovz2");
    expect(migrate.code, migrate.stderr).toBe(0);
    expect((await read<ContainerObject>("Container", "101")).status).toMatchObject({ currentHost: "ovz2", migration: null });
    expect(polyvisor("ct", "stop", "101").code).toBe(0);
    expect((await read<ContainerObject>("Container", "101")).status.state).toBe("stopped");
    expect(polyvisor("ct", "start", "101").code).toBe(0);
    const list = polyvisor("ct", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^CTID\s+STATUS\s+HOST\s+IP_ADDR\s+HOSTNAME\s+TEMPLATE$/m);
    expect(list.stdout).toMatch(/^101\s+running\s+ovz2\s+10\.0\.0\.6\s+web\.example\.com\s+centos-5-x86_64$/m);
    expect(polyvisor("ct", "create", "102", "--template", "centos-5-x86_64").code).toBe(2);
    expect(polyvisor("ct", "create", "101", "--template", "centos-5-x86_64", "--host", "ovz1").code).toBe(1);
  });

  it("xm create reads a Xen 3.0 configuration, naming keys it ignores; xm list, migrate --live and shutdown", async () => {
    writeFileSync(
      join(tmp.dir, "xweb.cfg"),
      [
        "# a paravirtualized guest",
        "name = 'xweb'",
        "memory = 512",
        "vcpus = 2",
        "kernel = '/boot/vmlinuz-2.6.16-xen'",
        "disk = [ 'file:/var/lib/xen/images/xweb.img,xvda,w' ]",
        "vif = [ 'mac=00:16:3e:00:00:01, bridge=xenbr0' ]",
        "cpu_weight = 256",
      ].join("\n"),
    );
    const create = polyvisor("xm", "create", "xweb.cfg", "--host", "xen1", "--datastore", "nfs1");
    expect(create.code, create.stderr).toBe(0);
    expect(create.stderr).toBe("polyvisor: warning: xweb.cfg: ignored keys with no counterpart: cpu_weight\n");
    const vm = await read<VirtualMachineObject>("VirtualMachine", "xweb");
    expect(vm.spec).toMatchObject({
      host: "xen1",
      memoryMb: 512,
      vcpus: 2,
      virtualization: "paravirtual",
      disks: [{ datastore: "nfs1", backend: "image", path: "/var/lib/xen/images/xweb.img" }],
    });
    expect(vm.status.virtualization).toBe("paravirtual");
    writeFileSync(join(tmp.dir, "hvm.cfg"), "name = 'xwin'\nmemory = 1024\nbuilder = 'hvm'\n");
    expect(polyvisor("xm", "create", "hvm.cfg", "--host", "xen1", "--guest-os", "windows").code).toBe(0);
    expect((await read<VirtualMachineObject>("VirtualMachine", "xwin")).spec.virtualization).toBe("hardware");
    expect(polyvisor("xm", "list").stdout).toMatch(/^xweb\s+xen1\s+512\s+2\s+r-----\s+paravirtual$/m);
    expect(polyvisor("xm", "migrate", "xweb", "xen1").code).toBe(2);
    expect(polyvisor("xm", "migrate", "--live", "xweb", "esx1").code).toBe(1);
    expect(polyvisor("xm", "shutdown", "xwin").code).toBe(0);
    expect((await read<VirtualMachineObject>("VirtualMachine", "xwin")).status.powerState).toBe("off");
    writeFileSync(join(tmp.dir, "bad.cfg"), "name = xweb(\n");
    expect(polyvisor("xm", "create", "bad.cfg", "--host", "xen1").code).toBe(2);
  });

  it("sim advance: days in the output, the cap and negative durations refused as bad usage", () => {
    const before = polyvisor("--json", "events").stdout;
    const r = polyvisor("--json", "sim", "advance", "1d");
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ requestedSeconds: 86_400, advancedSeconds: 86_400, interrupted: false });
    expect(polyvisor("sim", "advance", "1h").stdout).toMatch(/^Simulated time is now 1d \d\d:\d\d:\d\d/);
    const negative = polyvisor("sim", "advance", "-5m");
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain("negative duration");
    const long = polyvisor("sim", "advance", "367d");
    expect(long.code).toBe(2);
    expect(long.stderr).toContain("366 days");
    expect(polyvisor("sim", "advance", "--help").stdout).toContain("1w");
    expect(JSON.parse(polyvisor("--json", "events").stdout).length).toBeGreaterThanOrEqual(JSON.parse(before).length);
  });

  it("events filter by kind, name, reason, time and count", () => {
    const all = JSON.parse(polyvisor("--json", "events").stdout) as {
      seq: number;
      kind: string;
      name: string;
      reason: string;
      timeSeconds: number;
    }[];
    const byName = JSON.parse(polyvisor("--json", "events", "--name", "db1").stdout);
    expect(byName).toEqual(all.filter((e) => e.name === "db1"));
    const migrated = JSON.parse(polyvisor("--json", "events", "--kind", "VirtualMachine", "--reason", "Migrated", "--limit", "1").stdout);
    expect(migrated).toEqual(all.filter((e) => e.kind === "VirtualMachine" && e.reason === "Migrated").slice(-1));
    expect(JSON.parse(polyvisor("--json", "events", "--since", "1d 00:00:00").stdout)).toEqual(all.filter((e) => e.timeSeconds >= 86_400));
    expect(JSON.parse(polyvisor("--json", "events", "--since", "5").stdout)).toEqual(all.filter((e) => e.seq > 5));
    expect(polyvisor("events", "--limit", "0").code).toBe(2);
    expect(polyvisor("events", "--since", "yesterday").code).toBe(2);
  });

  it("events --follow prints events another process adds, then stops on Ctrl-C", async () => {
    const child = spawn(process.execPath, [CLI, "--state", state, "--json", "events", "--follow", "--reason", "PoweredOff"], {
      cwd: tmp.dir,
      env: { ...process.env, POLYVISOR_STATE: "" },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const initial = JSON.parse(polyvisor("--json", "events", "--reason", "PoweredOff").stdout).length;
    await until(() => out.split("\n").filter(Boolean).length >= initial);
    expect(polyvisor("vm", "stop", "app1").code).toBe(0);
    await until(() => out.includes('"name":"app1"'));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ kind: "VirtualMachine", name: "app1", reason: "PoweredOff" });
  });

  it("state export and import round-trip the whole state; import refuses a state that is not empty", () => {
    expect(polyvisor("state", "export", "backup.json").code).toBe(0);
    expect(polyvisor("state", "export", "backup.json").code).toBe(2);
    const copy = join(tmp.dir, "copy.db");
    const imported = runCliProcess(tmp.dir, ["--state", copy, "state", "import", "backup.json"]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(runCliProcess(tmp.dir, ["--state", copy, "state", "export", "-"]).stdout).toBe(polyvisor("state", "export", "-").stdout);
    expect(runCliProcess(tmp.dir, ["--state", copy, "--json", "status"]).stdout).toBe(polyvisor("--json", "status").stdout);
    const again = runCliProcess(tmp.dir, ["--state", copy, "state", "import", "backup.json"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Conflict: State import: imports only into an empty state/);
    writeFileSync(join(tmp.dir, "broken.json"), JSON.stringify({ format: "polyvisor-state", version: 1 }));
    expect(runCliProcess(tmp.dir, ["--state", join(tmp.dir, "other.db"), "state", "import", "broken.json"]).code).toBe(1);
    expect(runCliProcess(tmp.dir, ["--state", join(tmp.dir, "other2.db"), "state", "import", "dc.yaml"]).code).toBe(2);
  });

  it("delete removes an object; deleting it again is refused", async () => {
    expect(polyvisor("delete", "vm", "app1").code).toBe(0);
    expect(await read("VirtualMachine", "app1")).toBeUndefined();
    expect(polyvisor("delete", "vm", "app1").code).toBe(1);
  });

  it("under --json errors are one JSON object on stderr: refused, bad usage", () => {
    const refused = polyvisor("--json", "vm", "stop", "nope");
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr)).toEqual({
      code: "NotFound",
      message: "NotFound: VirtualMachine nope: no VirtualMachine named nope exists",
      kind: "VirtualMachine",
      name: "nope",
      field: null,
    });
    const usage = polyvisor("--json", "frobnicate");
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr)).toMatchObject({ code: "Usage", message: expect.stringContaining("frobnicate") });
    const demo = polyvisor("--json", "demo");
    expect(demo.code).toBe(2);
    expect(JSON.parse(demo.stderr).code).toBe("Usage");
  });

  it("drs reads a cluster's last pass; a missing cluster is refused", () => {
    expect(polyvisor("drs", "prod").code).toBe(0);
    expect(polyvisor("drs", "nope").code).toBe(1);
  });
});

/** Polls `done` until it holds; the test's own timeout bounds the wait. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 50));
}
