/**
 * The server's event stream (Server-Sent Events) read through fetch, so the token travels in the
 * Authorization header as for every other call. On a dropped connection it reconnects after a pause,
 * resuming after the last event seen (Last-Event-ID).
 */
import { authHeaders } from "./api";
import type { RuntimeEvent } from "./types";

export function followEvents(afterSeq: number, onEvents: (events: RuntimeEvent[]) => void, onState: (connected: boolean) => void): void {
  let last = afterSeq;
  const connect = async (): Promise<void> => {
    try {
      const res = await fetch("/api/v1/events/stream", {
        headers: { ...authHeaders(), Accept: "text/event-stream", "Last-Event-ID": String(last) },
      });
      if (!res.ok || !res.body) throw new Error(`event stream: HTTP ${res.status}`);
      onState(true);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const blocks = buffer.split(/\r?\n\r?\n/);
        buffer = blocks.pop() ?? "";
        const events: RuntimeEvent[] = [];
        for (const block of blocks) {
          const data = block
            .split(/\r?\n/)
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trimStart())
            .join("\n");
          if (!data) continue;
          const event = JSON.parse(data) as RuntimeEvent;
          if (event.seq <= last) continue;
          last = event.seq;
          events.push(event);
        }
        if (events.length > 0) onEvents(events);
      }
    } catch {
      // Reconnect below.
    }
    onState(false);
    setTimeout(() => void connect(), 2000);
  };
  void connect();
}
