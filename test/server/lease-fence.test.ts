/**
 * The controller lease in a real PostgreSQL server, in this process: claims by two holders, the
 * lease lapsing (moved into the past with SQL, so no test waits for a clock), and the fence: a
 * controller write of an epoch that is over is refused and changes nothing, while ordinary writes
 * of any server go on.
 */
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPolyvisorError } from "../../runtime";
import { LocalRuntime } from "../../runtime/local-runtime";
import type { LeaseTerm } from "../../runtime/store/lease";
import { PostgresLease } from "../../runtime/store/postgres-lease";
import { PostgresStore } from "../../runtime/store/postgres";
import { cluster, esxHost, vm } from "../support/fixtures";
import { NO_POSTGRES, type TestPostgres, postgresExpected, startTestPostgres } from "../support/postgres";
import { postgresUnderTest } from "../support/stores";

let server: TestPostgres | undefined;

beforeAll(async () => {
  server = await startTestPostgres();
  if (!server && process.env.CI) throw new Error(`${NO_POSTGRES}; the PostgreSQL lease suite must run in CI`);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

async function sql<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe.skipIf(!postgresExpected())("the controller lease in PostgreSQL", () => {
  it("one holder at a time; a lapsed lease goes to the next claimer in a new epoch", async () => {
    const url = await server!.createDatabase();
    const store = new PostgresStore(url, { seed: 1 });
    await store.opened();
    const lease = new PostgresLease(url);
    try {
      expect(await lease.claim("a", 6000)).toEqual({ leader: true, holder: "a", epoch: 1 });
      expect(await lease.claim("b", 6000)).toEqual({ leader: false, holder: "a", epoch: 1 });
      expect(await lease.claim("a", 6000)).toEqual({ leader: true, holder: "a", epoch: 1 });
      await sql(url, "UPDATE controller_lease SET expires_at = clock_timestamp() - interval '1 second'");
      expect(await lease.claim("b", 6000)).toEqual({ leader: true, holder: "b", epoch: 2 });
      expect(await lease.claim("a", 6000)).toEqual({ leader: false, holder: "b", epoch: 2 });
      await lease.release({ holder: "b", epoch: 2 });
      expect(await lease.claim("a", 6000)).toEqual({ leader: true, holder: "a", epoch: 3 });
    } finally {
      await lease.close();
      await store.close();
    }
  });

  it("a controller write of an epoch that is over is refused and changes nothing; the new leader's and plain writes go through", async () => {
    const url = await server!.createDatabase();
    const store = new PostgresStore(url, { seed: 1 });
    await store.opened();
    const lease = new PostgresLease(url);
    const dumps = postgresUnderTest(server!);
    let termA: LeaseTerm | undefined;
    let termB: LeaseTerm | undefined;
    const plain = new LocalRuntime(store);
    const asA = new LocalRuntime(store.fencedBy(() => termA));
    const asB = new LocalRuntime(store.fencedBy(() => termB));
    try {
      for (const obj of [cluster("prod"), esxHost("esx1"), esxHost("esx2"), vm("db1", { host: "esx1" })]) await plain.apply(obj);
      const a = await lease.claim("a", 6000);
      termA = { holder: "a", epoch: a.epoch };
      await asA.advance(60);
      expect((await sql<{ lease_epoch: number }>(url, "SELECT lease_epoch::int AS lease_epoch FROM state"))[0].lease_epoch).toBe(1);

      // a pauses past its lease; b takes over.
      await sql(url, "UPDATE controller_lease SET expires_at = clock_timestamp() - interval '1 second'");
      const b = await lease.claim("b", 6000);
      termB = { holder: "b", epoch: b.epoch };
      expect(termB.epoch).toBe(2);

      const before = await dumps.dump(url);
      const refused = await asA.advance(3600).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isPolyvisorError(refused) && refused.code).toBe("Conflict");
      expect((refused as Error).message).toContain("ControllerLease");
      expect((refused as Error).message).toContain("epoch 1 is over (the lease is held by b in epoch 2)");
      expect(await dumps.dump(url)).toBe(before);

      // A server that does not lead has no term: its clock's writes are refused before reaching the lease.
      const none = new LocalRuntime(store.fencedBy(() => undefined));
      await expect(none.advance(1)).rejects.toThrow(/does not hold the lease/);
      expect(await dumps.dump(url)).toBe(before);

      await asB.advance(60);
      expect(await plain.now()).toBe(120);
      expect((await sql<{ lease_epoch: number }>(url, "SELECT lease_epoch::int AS lease_epoch FROM state"))[0].lease_epoch).toBe(2);
      // Every server serves writes: the fence is for the clock's writes only.
      await plain.apply(vm("db2", { host: "esx2" }));
      expect((await plain.get("VirtualMachine", "db2"))?.generation).toBe(1);
      // A lease that lapsed without a new holder fences its own holder too, until it claims again.
      await sql(url, "UPDATE controller_lease SET expires_at = clock_timestamp() - interval '1 second'");
      await expect(asB.advance(60)).rejects.toThrow("epoch 2 is over (the lease has lapsed)");
      expect(await plain.now()).toBe(120);
      await dumps.cleanup();
    } finally {
      await lease.close();
      await store.close();
    }
  });

  it("a datacenter created before the lease existed gets it on open, with nobody holding it", async () => {
    const url = await server!.createDatabase();
    const store = new PostgresStore(url, { seed: 1 });
    await store.opened();
    await new LocalRuntime(store).apply(cluster("prod"));
    await store.close();
    // Back to schema version 1, as an older release left it.
    await sql(url, "DROP TABLE controller_lease; ALTER TABLE state DROP COLUMN lease_epoch; UPDATE polyvisor_schema SET version = 1");
    const reopened = new PostgresStore(url, { seed: 1 });
    await reopened.opened();
    try {
      expect(await sql(url, "SELECT holder, epoch::int AS epoch FROM controller_lease")).toEqual([{ holder: "", epoch: 0 }]);
      expect((await new LocalRuntime(reopened).get("Cluster", "prod"))?.name).toBe("prod");
    } finally {
      await reopened.close();
    }
  });
});

describe.skipIf(!postgresExpected())("a PostgreSQL state written by an earlier release", () => {
  it("loses the usage figures stored in its VM rows on open; a VM's usage comes from its host", async () => {
    const url = await server!.createDatabase();
    const store = new PostgresStore(url, { seed: 1 });
    await store.opened();
    const rt = new LocalRuntime(store);
    for (const obj of [cluster("prod"), esxHost("esx1"), vm("web", { workload: { cpuDemandMhz: 900 } })]) await rt.apply(obj);
    const shown = await rt.get("VirtualMachine", "web");
    await store.close();
    // As schema version 2 kept it: usage figures in the VM's row (wrong ones, so that showing them would fail).
    await sql(
      url,
      `UPDATE objects SET status = (status::jsonb || '{"cpuUsedMhz": 1, "overheadCpuMhz": 1, "memoryUsedMb": 1}')::text WHERE kind = 'VirtualMachine';
       UPDATE polyvisor_schema SET version = 2`,
    );
    const reopened = new PostgresStore(url, { seed: 1 });
    await reopened.opened();
    try {
      const [row] = await sql<{ status: string }>(url, "SELECT status FROM objects WHERE kind = 'VirtualMachine'");
      expect(Object.keys(JSON.parse(row.status))).not.toContain("cpuUsedMhz");
      expect(await new LocalRuntime(reopened).get("VirtualMachine", "web")).toEqual(shown);
    } finally {
      await reopened.close();
    }
  });
});
