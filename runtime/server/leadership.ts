/**
 * Leadership of one server among several on a shared datacenter: claims the controller lease when
 * it is free, renews it while held, and steps down when a renewal or a controller write finds the
 * epoch over (a paused leader that wakes after a takeover) or the database out of reach. Only the
 * leader's wall clock ticks; every server keeps serving the API.
 */
import type { LeaseTerm } from "../store/lease";
import type { LeaseView } from "../store/postgres-lease";

export interface LeaseTable {
  claim(holder: string, ttlMs: number): Promise<LeaseView>;
  release(term: LeaseTerm): Promise<void>;
}

export interface LeadershipOptions {
  lease: LeaseTable;
  /** This server's name in the lease (unique among the servers and their restarts). */
  holder: string;
  /** How long a claim or renewal holds the lease. */
  ttlMs?: number;
  /** How often the leader renews: well within the lease, so a missed renewal or two costs nothing. */
  renewMs?: number;
  /** How often a server that does not lead tries to take the lease. */
  pollMs?: number;
  log(line: string): void;
  /** Monotonic milliseconds of this process (injected for tests). */
  now?: () => number;
}

export interface LeadershipStatus {
  leader: boolean;
  /** This server's name in the lease. */
  holder: string;
  /** The epoch of the lease as last seen (this server's own when leader). */
  leaseEpoch: number;
  /** Who holds the lease as last seen ("" when nobody ever did). */
  leaseHolder: string;
  /** Controller writes and renewals refused because their epoch was over. */
  fencedWrites: number;
}

/** Leadership's defaults: a killed leader is replaced at most TTL + poll (7 s) after its last renewal. */
export const LEASE_TTL_MS = 6_000;
export const LEASE_RENEW_MS = 2_000;
export const LEASE_POLL_MS = 1_000;

function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 300);
}

export class Leadership {
  private term?: LeaseTerm;
  /**
   * When the term ends by this process's clock: the claim's start plus the lease, never later than
   * the database's end of it. Past it the term is not used, even before a renewal says so.
   */
  private termEndsAt = 0;
  /** The term this server left because the lease was out of reach: whether it is over shows at the next claim. */
  private unreachable?: LeaseTerm;
  private seen = { holder: "", epoch: 0 };
  private fenced = 0;
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;
  private onChange: (leading: boolean) => Promise<void> = async () => {};
  private readonly now: () => number;

  constructor(private readonly options: LeadershipOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** The term to fence controller writes with; undefined when this server does not lead. */
  current(): LeaseTerm | undefined {
    return this.term && this.now() < this.termEndsAt ? this.term : undefined;
  }

  status(): LeadershipStatus {
    return {
      leader: this.current() !== undefined,
      holder: this.options.holder,
      leaseEpoch: this.seen.epoch,
      leaseHolder: this.seen.holder,
      fencedWrites: this.fenced,
    };
  }

  /** Claims at once, then keeps claiming or renewing; `onChange` starts or stops what only the leader runs. */
  start(onChange: (leading: boolean) => Promise<void>): void {
    this.onChange = onChange;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.claim().finally(() =>
        this.schedule(this.term ? (this.options.renewMs ?? LEASE_RENEW_MS) : (this.options.pollMs ?? LEASE_POLL_MS)),
      );
    }, ms);
  }

  private async claim(): Promise<void> {
    let view: LeaseView;
    const ttlMs = this.options.ttlMs ?? LEASE_TTL_MS;
    const startedAt = this.now();
    try {
      view = await this.options.lease.claim(this.options.holder, ttlMs);
    } catch (e) {
      const term = this.term;
      if (!term) return;
      this.unreachable = term;
      await this.stepDown(`cannot renew the lease of epoch ${term.epoch} (${messageOf(e)})`);
      return;
    }
    this.seen = { holder: view.holder, epoch: view.epoch };
    const left = this.unreachable;
    this.unreachable = undefined;
    if (left && !(view.leader && view.epoch === left.epoch)) {
      this.fenced++;
      this.options.log(`lease: epoch ${left.epoch} is over: ${view.holder} holds the lease in epoch ${view.epoch}`);
    }
    if (view.leader) {
      const was = this.term;
      this.term = { holder: this.options.holder, epoch: view.epoch };
      this.termEndsAt = startedAt + ttlMs;
      if (was?.epoch !== view.epoch) this.options.log(`lease: leading in epoch ${view.epoch}`);
      if (!was) await this.onChange(true);
    } else if (this.term) {
      this.fenced++;
      await this.stepDown(`the renewal of epoch ${this.term.epoch} was refused: ${view.holder} holds the lease in epoch ${view.epoch}`);
    }
  }

  /** A controller write was refused by the fence: the epoch is over whatever this server believed. */
  refused(error: unknown): void {
    this.fenced++;
    this.options.log(`lease: controller write refused: ${messageOf(error)}`);
    if (this.term) void this.stepDown(`epoch ${this.term.epoch} is over`);
  }

  private async stepDown(why: string): Promise<void> {
    if (!this.term) return;
    this.term = undefined;
    this.options.log(`lease: stepping down: ${why}`);
    await this.onChange(false);
  }

  /** Stops claiming, stops leading, and gives the lease up so another server takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    const term = this.term;
    if (!term) return;
    await this.stepDown("shutting down");
    await this.options.lease.release(term).catch((e: unknown) => this.options.log(`lease: cannot release: ${messageOf(e)}`));
  }
}
