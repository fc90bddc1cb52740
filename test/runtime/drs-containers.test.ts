/**
 * DRS moves containers between hosts of one technology (`drs.containerMoves`): OpenVZ/Virtuozzo by
 * checkpoint/restore, whose pause is seconds (Mirkin, Kuznetsov, Kolyshkin, "Containers checkpointing
 * and live migration", OLS 2008; OpenVZ User's Guide, "Migrating Containers"), Solaris 10 zones by
 * detach/attach, down for the whole move (System Administration Guide: Solaris Containers, "Migrating
 * a Non-Global Zone to a Different Machine"), so zones move only when the cluster allows downtime.
 * The move is priced by its modelled time like a VM's live migration (Gulati et al., VMware Technical
 * Journal 2012: cost against gain).
 */
import { describe, expect, it } from "vitest";
import { type ClusterObject, type ContainerObject, type Runtime, openRuntime } from "../../runtime";
import { cluster, esxHost } from "../support/fixtures";

const CPU = { sockets: 1, coresPerSocket: 4, mhz: 2000, vendor: "intel", features: ["lm"] };

async function farm(hypervisor: "openvz" | "zones", drs: Record<string, unknown>, pin: Record<string, string> = {}): Promise<Runtime> {
  const rt = await openRuntime({ path: ":memory:" });
  await rt.apply(cluster("prod", { drs, ha: { enabled: false } }));
  for (const h of ["n1", "n2"]) await rt.apply(esxHost(h, "prod", { hypervisor, cpu: CPU, memoryMb: 16384 }));
  const template = hypervisor === "zones" ? "solaris-10-x86" : "centos-5-x86_64";
  for (const name of ["c1", "c2", "c3", "c4"]) {
    const spec = { cluster: "prod", template, memoryMb: 2048, diskGb: 2, workload: { cpuDemandMhz: 1500, threads: 2 } };
    await rt.apply({ kind: "Container", name, spec: { ...spec, host: "n1" } });
    await rt.apply({ kind: "Container", name, spec: pin[name] ? { ...spec, host: pin[name] } : spec });
  }
  return rt;
}

const ct = async (rt: Runtime, name: string) => (await rt.get("Container", name)) as ContainerObject;
const drsStatus = async (rt: Runtime) => ((await rt.get("Cluster", "prod")) as ClusterObject).status.drs;

describe("DRS moves containers", () => {
  it("moves OpenVZ containers by checkpoint/restore off the loaded host until balanced, and they land", async () => {
    const rt = await farm("openvz", {});
    const before = (await rt.runDrs("prod")) as ClusterObject;
    const moves = before.status.drs.moves.filter((m) => m.kind === "Container");
    // Four equal containers on one of two equal hosts: two moves leave two on each.
    expect(moves.map((m) => [m.vm, m.fromHost, m.toHost])).toEqual([
      ["c1", "n1", "n2"],
      ["c2", "n1", "n2"],
    ]);
    expect(moves[0].reason).toMatch(
      /^load balancing of openvz hosts: imbalance [\d.]+ -> [\d.]+ \(target [\d.]+\); the move takes about \d+ s$/,
    );
    expect(before.status.drs.projectedImbalance).toBeLessThan(before.status.drs.imbalanceBefore);
    const c1 = await ct(rt, "c1");
    expect(c1.status.migration).toMatchObject({ kind: "checkpointRestore", fromHost: "n1", toHost: "n2" });
    const events = (await rt.events()).filter((e) => e.name === "c1").map((e) => e.reason);
    expect(events).toEqual(expect.arrayContaining(["MigrationStarted", "DrsMigrated"]));
    await rt.advance(120);
    expect((await ct(rt, "c1")).status).toMatchObject({ currentHost: "n2", migration: null });
    expect((await ct(rt, "c2")).status.currentHost).toBe("n2");
    await rt.close();
  });

  it("leaves pinned containers where they are, and moves none with containerMoves off", async () => {
    const pinned = await farm("openvz", {}, { c1: "n1", c2: "n1", c3: "n1" });
    const moved = (await pinned.runDrs("prod")) as ClusterObject;
    expect(moved.status.drs.moves.map((m) => m.vm)).toEqual(["c4"]);
    await pinned.close();
    const off = await farm("openvz", { containerMoves: "off" });
    expect(((await off.runDrs("prod")) as ClusterObject).status.drs.moves).toEqual([]);
    await off.close();
  });

  it("moves zones (detach/attach, down for the whole move) only with containerMoves withDowntime; manual mode recommends", async () => {
    const live = await farm("zones", {});
    expect(((await live.runDrs("prod")) as ClusterObject).status.drs.moves).toEqual([]);
    await live.close();
    const down = await farm("zones", { containerMoves: "withDowntime", automationLevel: "manual" });
    await down.runDrs("prod");
    const drs = await drsStatus(down);
    expect(drs.moves).toEqual([]);
    expect(drs.recommendations.map((m) => [m.kind, m.vm])).toEqual([
      ["Container", "c1"],
      ["Container", "c2"],
    ]);
    expect((await down.events()).filter((e) => e.reason === "DrsRecommended").map((e) => `${e.kind} ${e.name}`)).toEqual([
      "Container c1",
      "Container c2",
    ]);
    await down.runDrs("prod", { apply: true });
    expect((await ct(down, "c1")).status.migration).toMatchObject({ kind: "detachAttach", fromHost: "n1", toHost: "n2" });
    await down.close();
  });
});
