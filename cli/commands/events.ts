import type { Runtime, RuntimeEvent } from "../../runtime";
import { formatSeconds } from "../format";

export function renderEvents(events: RuntimeEvent[]): string {
  if (events.length === 0) return "No events.";
  return events.map((e) => `${String(e.seq).padStart(5)}  ${formatSeconds(e.timeSeconds)}  ${e.kind} ${e.name}  ${e.reason}: ${e.message}`).join("\n");
}

/** Runs `work` and returns the events it caused. */
export async function eventsDuring(rt: Runtime, work: () => Promise<void>): Promise<RuntimeEvent[]> {
  const since = (await rt.events()).at(-1)?.seq ?? 0;
  await work();
  return rt.events({ sinceSeq: since });
}
