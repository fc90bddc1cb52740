/**
 * A seeded pseudo-random source (mulberry32). Its whole state is one 32-bit integer, stored with
 * the world so that a reopened runtime continues the same sequence: same seed, same events.
 */
export class SeededRandom {
  constructor(private state: number) {
    this.state = state >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Goes back to a state read from seedState (a dropped step gives back what it drew). */
  restore(state: number): void {
    this.state = state >>> 0;
  }

  get seedState(): number {
    return this.state;
  }
}
