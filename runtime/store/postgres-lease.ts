/**
 * The controller lease in PostgreSQL (table controller_lease, one row): claimed and renewed through
 * a connection of its own, so that a long write of the datacenter never delays a renewal, and read
 * by the database's clock (clock_timestamp()), the one clock every server shares. The fence runs
 * inside a controller write's transaction: it locks the row, so a takeover waits for that write to
 * end and every later write of the old epoch is refused.
 */
import { Pool, type PoolClient } from "pg";
import { PolyvisorError, isPolyvisorError } from "../core/kernel/errors";
import { type LeaseRow, type LeaseTerm, claimLease, holdsLease, releaseLease } from "./lease";

/** The lease as a server sees it after a claim. */
export interface LeaseView {
  leader: boolean;
  /** The lease's holder and epoch (this server's when leader). */
  holder: string;
  epoch: number;
}

/** A stopped process's open transaction is ended by the server after this long, letting go of its locks. */
export const IDLE_IN_TRANSACTION_MS = 5_000;
/** A claim waits at most this long for the row (another claim or a controller write holds it). */
const CLAIM_LOCK_TIMEOUT_MS = 2_000;

const LEASE_KIND = "ControllerLease";

/** The row, locked until the transaction ends, and the database's time. */
async function lockedRow(client: PoolClient): Promise<{ row: LeaseRow; nowMs: number }> {
  const r = (
    await client.query<{ holder: string; epoch: number; expires_ms: number; now_ms: number }>(
      `SELECT holder, epoch, extract(epoch FROM expires_at)::float8 * 1000 AS expires_ms,
              extract(epoch FROM clock_timestamp())::float8 * 1000 AS now_ms
         FROM controller_lease WHERE id = 1 FOR UPDATE`,
    )
  ).rows[0];
  return { row: { holder: r.holder, epoch: Number(r.epoch), expiresAtMs: r.expires_ms }, nowMs: r.now_ms };
}

async function store(client: PoolClient, row: LeaseRow): Promise<void> {
  await client.query("UPDATE controller_lease SET holder = $1, epoch = $2, expires_at = to_timestamp($3::float8 / 1000) WHERE id = 1", [
    row.holder,
    row.epoch,
    row.expiresAtMs,
  ]);
}

function lost(term: LeaseTerm | undefined, row?: LeaseRow): PolyvisorError {
  const now =
    row?.holder === term?.holder && row?.epoch === term?.epoch
      ? "the lease has lapsed"
      : row?.holder
        ? `the lease is held by ${row.holder} in epoch ${row.epoch}`
        : "nobody holds the lease";
  return new PolyvisorError(
    "Conflict",
    { kind: LEASE_KIND, name: term?.holder ?? "this server" },
    term ? `epoch ${term.epoch} is over (${now}): this server no longer drives the clock` : "this server does not hold the lease",
  );
}

/** A controller write refused because its epoch is over. */
export function isLeaseLost(e: unknown): e is PolyvisorError {
  return isPolyvisorError(e) && e.kind === LEASE_KIND;
}

/** Inside a write's transaction: refuses unless `term` holds the lease, and keeps the row locked until the write ends. */
export async function fenceWrite(client: PoolClient, term: LeaseTerm | undefined): Promise<void> {
  if (!term) throw lost(term);
  const { row, nowMs } = await lockedRow(client);
  if (!holdsLease(row, term, nowMs)) throw lost(term, row);
}

export class PostgresLease {
  private readonly pool: Pool;

  constructor(url: string) {
    this.pool = new Pool({
      connectionString: url,
      max: 1,
      application_name: `polyvisor pid ${process.pid}: lease`,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
      // A claim that gets no answer (the database unreachable) fails instead of keeping leadership in doubt.
      connectionTimeoutMillis: CLAIM_LOCK_TIMEOUT_MS * 2,
      query_timeout: CLAIM_LOCK_TIMEOUT_MS * 2,
    });
    // A lost connection fails the claim in progress; its error events must not end the process (see postgres.ts).
    this.pool.on("error", () => undefined);
    this.pool.on("connect", (client) => client.on("error", () => undefined));
  }

  private async locked<T>(work: (client: PoolClient, row: LeaseRow, nowMs: number) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL lock_timeout = ${CLAIM_LOCK_TIMEOUT_MS}`);
      const { row, nowMs } = await lockedRow(client);
      const result = await work(client, row, nowMs);
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  /** Takes the lease when it is free or lapsed, renews it when `holder` holds it, else says who does. */
  claim(holder: string, ttlMs: number): Promise<LeaseView> {
    return this.locked(async (client, row, nowMs) => {
      const next = claimLease(row, holder, nowMs, ttlMs);
      if (!next) return { leader: false, holder: row.holder, epoch: row.epoch };
      await store(client, next);
      return { leader: true, holder, epoch: next.epoch };
    });
  }

  /** Gives the lease up at once (a clean shutdown), if `term` still holds it. */
  release(term: LeaseTerm): Promise<void> {
    return this.locked(async (client, row, nowMs) => {
      const next = releaseLease(row, term, nowMs);
      if (next) await store(client, next);
    });
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
