/**
 * Publishes new events to stream subscribers. After each write (and on a slow poll, for writers in
 * other processes sharing the state) the hub reads the events since the last it saw, once, and hands
 * each subscriber those after its own cursor, so a subscriber that just sent its backlog never sees
 * an event twice or misses one.
 */
import type { Runtime, RuntimeEvent } from "../api";

export interface Subscriber {
  /** The last seq this subscriber has been sent. */
  cursor: number;
  send(event: RuntimeEvent): void;
}

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  private lastSeq = 0;
  private publishing: Promise<void> = Promise.resolve();
  private readonly listeners: ((events: RuntimeEvent[]) => void)[] = [];

  constructor(private readonly runtime: Runtime) {}

  /** Starts after the events already stored: those are backlog, not news. */
  async start(): Promise<void> {
    const events = await this.runtime.events({ sinceSeq: this.lastSeq });
    this.lastSeq = events.at(-1)?.seq ?? this.lastSeq;
  }

  /** Calls `listener` with every batch of new events (metrics count them). */
  onEvents(listener: (events: RuntimeEvent[]) => void): void {
    this.listeners.push(listener);
  }

  /** Sends `sub` the events after `sinceSeq`, then follows new ones until unsubscribed. */
  async subscribe(sub: Subscriber): Promise<() => void> {
    this.subscribers.add(sub);
    for (const e of await this.runtime.events({ sinceSeq: sub.cursor })) this.deliver(sub, e);
    return () => this.subscribers.delete(sub);
  }

  /** Reads and publishes what was written since the last call; calls run one after another. */
  publish(): Promise<void> {
    const run = this.publishing.then(async () => {
      const events = await this.runtime.events({ sinceSeq: this.lastSeq });
      if (events.length === 0) return;
      this.lastSeq = events.at(-1)!.seq;
      for (const listener of this.listeners) listener(events);
      for (const sub of this.subscribers) for (const e of events) this.deliver(sub, e);
    });
    // A failed read is the caller's to report; the next publish starts afresh.
    this.publishing = run.catch(() => undefined);
    return run;
  }

  private deliver(sub: Subscriber, e: RuntimeEvent): void {
    if (e.seq <= sub.cursor) return;
    sub.cursor = e.seq;
    sub.send(e);
  }
}
