import type { RuntimeEvent } from "../../runtime";
import { formatSeconds } from "../format";

export function renderEvents(events: RuntimeEvent[]): string {
  if (events.length === 0) return "No events.";
  return events.map((e) => `${String(e.seq).padStart(5)}  ${formatSeconds(e.timeSeconds)}  ${e.kind} ${e.name}  ${e.reason}: ${e.message}`).join("\n");
}
