/**
 * `checkState` (`polyvisor state check`): a state the runtime wrote passes every check, whatever
 * happened in it (placements, DRS, a host crash and HA restarts, live migrations, container moves);
 * a state damaged behind its back fails the check that covers the damage, naming the object; and
 * checking changes nothing.
 */
import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Runtime, type StateCheck, openRuntime } from "../../runtime";
import { cluster, datastore, esxHost, vm } from "../support/fixtures";
import { dumpStateFile, tempDir } from "../support/state-file";

let tmp: ReturnType<typeof tempDir>;
let path: string;
let rt: Runtime;

beforeEach(async () => {
  tmp = tempDir();
  path = join(tmp.dir, "state.db");
  rt = await openRuntime({ path });
  await rt.apply(cluster("prod", { ha: { enabled: true }, drs: { automationLevel: "fullyAutomated" } }));
  await rt.apply(datastore("shared", "nfs", 5000));
  for (const h of ["esx1", "esx2", "esx3"]) await rt.apply(esxHost(h, "prod", { datastores: ["shared"] }));
  for (let i = 0; i < 8; i++)
    await rt.apply(
      vm(`web${i}`, {
        memory: { reservationMb: 512 },
        cpu: { reservationMhz: 300 },
        disks: [{ datastore: "shared", sizeGb: 10 }],
        workload: { cpuDemandMhz: 1500 + 300 * i },
      }),
    );
  await rt.apply({ kind: "Cluster", name: "farm", spec: {} });
  for (const h of ["vz1", "vz2"])
    await rt.apply({
      kind: "Host",
      name: h,
      spec: {
        cluster: "farm",
        hypervisor: "openvz",
        cpu: { sockets: 1, coresPerSocket: 4, mhz: 2000, vendor: "intel", features: ["lm"] },
        memoryMb: 16384,
      },
    });
  await rt.apply({ kind: "Container", name: "ct1", spec: { cluster: "farm", template: "centos-5-x86_64", memoryMb: 512, diskGb: 4 } });
});

afterEach(async () => {
  await rt.close();
  tmp.cleanup();
});

const problems = (check: StateCheck) => check.checks.flatMap((c) => c.problems.map((p) => `${c.name}: ${p}`));

function damage(sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}

describe("a state the runtime wrote", () => {
  it("passes every check through placements, DRS, a host crash, HA restarts and moves in flight", async () => {
    expect(problems(await rt.checkState())).toEqual([]);
    await rt.advance(3600);
    const web0 = (await rt.get("VirtualMachine", "web0"))!;
    const from = (web0.status as { currentHost: string }).currentHost;
    const to = ["esx1", "esx2", "esx3"].find((h) => h !== from)!;
    await rt.apply({ kind: "VirtualMachine", name: "web0", spec: { ...(web0.spec as object), host: to } });
    const ct1 = (await rt.get("Container", "ct1"))!;
    const ctTo = (ct1.status as { currentHost: string }).currentHost === "vz1" ? "vz2" : "vz1";
    await rt.apply({ kind: "Container", name: "ct1", spec: { ...(ct1.spec as object), host: ctTo } });
    // Both moves are in flight now: the targets hold them already.
    expect((await rt.get("VirtualMachine", "web0"))!.status).toMatchObject({ migration: { toHost: to } });
    expect((await rt.get("Container", "ct1"))!.status).toMatchObject({ migration: { toHost: ctTo } });
    expect(problems(await rt.checkState())).toEqual([]);
    await rt.failHost("esx2");
    await rt.advance(600);
    expect(problems(await rt.checkState())).toEqual([]);
    await rt.recoverHost("esx2");
    await rt.advance(86_400);
    const check = await rt.checkState();
    expect(problems(check)).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.checks.map((c) => c.name)).toEqual([
      "integrity",
      "schema",
      "rows",
      "specs and numbers",
      "placements",
      "host reservations",
      "host usage",
      "datastore usage",
      "timers",
    ]);
  });

  it("checking changes nothing", async () => {
    const before = dumpStateFile(path);
    await rt.checkState();
    expect(dumpStateFile(path)).toBe(before);
  });
});

describe("a state damaged behind the runtime's back", () => {
  it("a host whose reservation is not the sum over its guests", async () => {
    damage("UPDATE objects SET status = json_set(status, '$.cpuReservedMhz', 12345) WHERE kind = 'Host' AND name = 'esx1'");
    const fresh = await openRuntime({ path });
    try {
      const check = await fresh.checkState();
      expect(check.ok).toBe(false);
      expect(problems(check)).toEqual([
        expect.stringMatching(/^host reservations: host esx1: status.cpuReservedMhz is 12345, but its guests add up to \d+$/),
      ]);
    } finally {
      await fresh.close();
    }
  });

  it("a host whose kept usage division is not what its VMs give, and an export of it imported again", async () => {
    // A share level no division of esx1's VMs gives.
    damage(`UPDATE objects SET status = json_set(status, '$.usageDivision', json('{"cpu":{"by":"shares","level":0.001},"memory":{"by":"demand"}}'))
            WHERE kind = 'Host' AND name = 'esx1'`);
    const fresh = await openRuntime({ path });
    try {
      expect(problems(await fresh.checkState())).toEqual([
        expect.stringMatching(
          /^host usage: host esx1: its kept usage \(\d+ MHz, \d+ MB, CPU by shares, memory by demand\) is not what its VMs give \(\d+ MHz, \d+ MB, CPU by \w+, memory by \w+\)$/,
        ),
      ]);
      // An import drops a division the dump's VMs do not give (it is derived) and keeps the others: the
      // copy checks clean and divides esx1 at its first refresh.
      const copy = await openRuntime({ path: join(tmp.dir, "copy.db") });
      try {
        await copy.importState(await fresh.exportState());
        const divisionOf = async (host: string) => ((await copy.get("Host", host))!.status as { usageDivision?: unknown }).usageDivision;
        expect(await divisionOf("esx1")).toBeUndefined();
        expect(await divisionOf("esx2")).toEqual(((await fresh.get("Host", "esx2"))!.status as { usageDivision: unknown }).usageDivision);
        expect(problems(await copy.checkState())).toEqual([]);
        await copy.runDrs("prod");
        expect(await divisionOf("esx1")).toBeDefined();
        expect(problems(await copy.checkState())).toEqual([]);
      } finally {
        await copy.close();
      }
    } finally {
      await fresh.close();
    }
  });

  it("a guest on a host that does not exist, a missing DRS pass, an invalid spec and a stored null number", async () => {
    damage(`UPDATE objects SET status = json_set(status, '$.currentHost', 'ghost') WHERE kind = 'Container' AND name = 'ct1';
            UPDATE state SET timers = (SELECT json_group_array(json(value)) FROM json_each(state.timers) WHERE json_extract(value, '$.name') <> 'farm');
            UPDATE objects SET spec = json_set(spec, '$.vcpus', 0) WHERE kind = 'VirtualMachine' AND name = 'web1';`);
    const fresh = await openRuntime({ path });
    try {
      const found = problems(await fresh.checkState());
      expect(found).toEqual(
        expect.arrayContaining([
          "placements: Container ct1 runs on host ghost, which does not exist",
          "timers: cluster farm has 0 periodic DRS passes pending; it needs exactly one",
          expect.stringMatching(/^specs and numbers: VirtualMachine web1: spec field vcpus: Too small/),
        ]),
      );
    } finally {
      await fresh.close();
    }
  });

  it("an alarm whose spec is no longer valid (alarms are checked like every other kind)", async () => {
    await rt.apply({
      kind: "Alarm",
      name: "failover",
      spec: { target: { kind: "Cluster", name: "farm" }, metric: "haFailoverCapacity", threshold: 1 },
    });
    damage("UPDATE objects SET spec = json_set(spec, '$.threshold', 1e10) WHERE kind = 'Alarm' AND name = 'failover'");
    const fresh = await openRuntime({ path });
    try {
      expect(problems(await fresh.checkState())).toEqual([
        expect.stringMatching(/^specs and numbers: Alarm failover: spec field threshold: Too big/),
      ]);
    } finally {
      await fresh.close();
    }
  });

  it("a row that cannot be read is reported, not thrown", async () => {
    damage("UPDATE objects SET spec = 'nope' WHERE kind = 'Host' AND name = 'esx3'");
    const fresh = await openRuntime({ path });
    try {
      const check = await fresh.checkState();
      expect(check.ok).toBe(false);
      expect(problems(check)).toEqual([expect.stringMatching(/^rows: the Host esx3 \(table objects\), column spec holds damaged JSON$/)]);
    } finally {
      await fresh.close();
    }
  });
});
