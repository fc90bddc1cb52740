/**
 * Drives the simulated clock from wall time on a server: every tick advances it by the wall time
 * since the last tick times `speed`, so DRS passes, HA timers and migrations happen while nobody
 * calls. Paused (speed 0), the clock moves only on `advance`. Wall time lives here, never in the core.
 * Of several servers on one datacenter only the lease holder's clock is active (leadership.ts).
 */
import { MAX_ADVANCE_SECONDS } from "../../schema";

export interface WallClockOptions {
  /** Simulated seconds per wall-clock second; 0 pauses the clock. */
  speed: number;
  /** Wall milliseconds between ticks. */
  tickMs?: number;
  /** Advances the simulated clock (through the server's write queue). */
  advance(seconds: number): Promise<void>;
  /** A tick that failed: reported, and the clock goes on. */
  onError(error: unknown): void;
  /** Whether this clock drives at first (default true); see setActive. */
  active?: boolean;
  /** Wall time in milliseconds (injected for tests). */
  now?: () => number;
}

export class WallClock {
  private timer?: NodeJS.Timeout;
  private last = 0;
  private ticking?: Promise<void>;
  private readonly now: () => number;
  private active: boolean;

  constructor(private readonly options: WallClockOptions) {
    this.now = options.now ?? (() => performance.now());
    this.active = options.active ?? true;
  }

  get speed(): number {
    return this.options.speed;
  }

  get paused(): boolean {
    return this.options.speed === 0;
  }

  start(): void {
    // Speed and leadership change independently: a second start replaces the first's ticks.
    clearInterval(this.timer);
    if (this.paused || !this.active) return;
    this.last = this.now();
    this.timer = setInterval(() => {
      if (!this.ticking) this.ticking = this.tick().finally(() => (this.ticking = undefined));
    }, this.options.tickMs ?? 250);
  }

  /** Advances by the wall time elapsed since the last tick (a long stall is caught up in capped steps). */
  private async tick(): Promise<void> {
    const at = this.now();
    let seconds = ((at - this.last) / 1000) * this.options.speed;
    this.last = at;
    try {
      while (seconds > 0) {
        const step = Math.min(seconds, MAX_ADVANCE_SECONDS);
        await this.options.advance(step);
        seconds -= step;
      }
    } catch (e) {
      this.options.onError(e);
    }
  }

  /** Runs the clock at another speed (0 pauses it): the ticks stop, then start again at the new speed. */
  async setSpeed(speed: number): Promise<void> {
    await this.stop();
    this.options.speed = speed;
    this.start();
  }

  /**
   * Drives the clock or leaves it to another server. An inactive clock keeps its speed and does not
   * tick; made active again it starts from now: the time no server drove is not caught up.
   */
  async setActive(active: boolean): Promise<void> {
    await this.stop();
    this.active = active;
    this.start();
  }

  /** Stops ticking and waits for a tick in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }
}
