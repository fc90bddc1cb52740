/**
 * The controller lease of a datacenter shared by several servers: one row naming the holder, its
 * epoch and when the lease ends. Exactly one server at a time drives the clock (and with it DRS, HA
 * and landings); every write it makes for that carries its epoch and is refused once the epoch moved
 * on, so a leader that was paused past its lease cannot write after another took over. This module is
 * the arithmetic alone, over a time given by the caller (the database's clock in production).
 */

export interface LeaseRow {
  /** Who holds or last held the lease; "" before anyone did. */
  holder: string;
  /** Grows by one with every new term, whoever takes it. */
  epoch: number;
  /** End of the lease, in milliseconds of the time source. */
  expiresAtMs: number;
}

/** A term of leadership as its holder knows it. */
export interface LeaseTerm {
  holder: string;
  epoch: number;
}

/**
 * The row after `holder` claims the lease at `nowMs`, or undefined when another holds it. A holder
 * whose lease is still running renews it in the same term; a lapsed lease, whoever held it, starts
 * a new term, so anything its former holder does with the old epoch is refused from then on.
 */
export function claimLease(row: LeaseRow, holder: string, nowMs: number, ttlMs: number): LeaseRow | undefined {
  const running = row.expiresAtMs > nowMs;
  if (running && row.holder !== holder) return undefined;
  return { holder, epoch: running ? row.epoch : row.epoch + 1, expiresAtMs: nowMs + ttlMs };
}

/** Whether `term` still holds the lease at `nowMs`: its holder, its epoch, and not lapsed. */
export function holdsLease(row: LeaseRow, term: LeaseTerm, nowMs: number): boolean {
  return row.holder === term.holder && row.epoch === term.epoch && row.expiresAtMs > nowMs;
}

/** The row after its holder gives the lease up (a clean shutdown): it lapses now, so another takes over at once. */
export function releaseLease(row: LeaseRow, term: LeaseTerm, nowMs: number): LeaseRow | undefined {
  return holdsLease(row, term, nowMs) ? { ...row, expiresAtMs: nowMs } : undefined;
}
