/**
 * The openvz-farm example through the real dynamic provider host: a ContainerFarm of twenty, then
 * 400 containers on the two OpenVZ hosts, then 380: exactly twenty go and the others keep their
 * addresses. The cluster runs HA, whose admission control counts containers and keeps half of the two
 * hosts' memory for a failover: 400 containers of 256 MB fit in the other half, 500 would not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContainerObject, HostObject } from "../../runtime";
import { type ExampleSession, changedSteps, startExample } from "./example-session";

let session: ExampleSession;
beforeAll(async () => {
  session = await startExample("openvz-farm");
});
afterAll(() => session?.close());

const farm = (session: ExampleSession) =>
  session.runtimeView(async (rt) => ((await rt.list("Container")) as ContainerObject[]).filter((c) => c.name.startsWith("web-")));
const addressesByName = (cs: ContainerObject[]) => new Map(cs.map((c) => [c.name, c.status.ipAddresses]));

describe("examples/openvz-farm through the provider host", () => {
  it("up creates twenty containers on consecutive addresses and the database", async () => {
    const result = await session.engine.up(session.program());
    expect(result.errors).toEqual([]);
    expect(result.outputs.webAddresses).toEqual(Array.from({ length: 20 }, (_, i) => [`10.0.1.${i + 1}`]));
    expect(new Set(result.outputs.webHosts as string[])).toEqual(new Set(["vz1", "vz2"]));
    const db = (await session.runtimeView((rt) => rt.get("Container", "db"))) as ContainerObject;
    expect(db.status).toMatchObject({ state: "running", ipAddresses: ["10.0.2.1"], currentHost: result.outputs.dbHost });
    expect(result.outputs.dbCpuMhz).toBe(db.status.cpuEntitlementMhz);
  });

  it("a farm of 400 on the two hosts applies; count 380 removes exactly 20 and keeps the other addresses", async () => {
    const grown = await session.engine.up(session.edited("count: 20,", "count: 400,"));
    expect(grown.errors).toEqual([]);
    expect(changedSteps(grown)).toHaveLength(380);
    const before = await farm(session);
    expect(before).toHaveLength(400);
    const addresses = before.flatMap((c) => c.status.ipAddresses);
    expect(new Set(addresses).size).toBe(400);
    const hosts = await session.runtimeView(async (rt) => ((await rt.list("Host")) as HostObject[]).map((h) => h.status.containers.length));
    expect(hosts.reduce((a, b) => a + b, 0)).toBe(401);
    expect(Math.min(...hosts)).toBeGreaterThanOrEqual(190);

    const shrunk = await session.engine.up(session.edited("count: 20,", "count: 380,"));
    expect(shrunk.errors).toEqual([]);
    expect(changedSteps(shrunk)).toEqual(Array.from({ length: 20 }, (_, i) => `delete web-${381 + i}`).sort());
    const after = await farm(session);
    expect(after).toHaveLength(380);
    const kept = addressesByName(before);
    for (const c of after) expect(c.status.ipAddresses).toEqual(kept.get(c.name));
  }, 600_000);
});
