/** `polyvisor events`: the event log, filtered, optionally followed as it grows. */
import type { Runtime, RuntimeEvent } from "../../runtime";
import { type Cli, examples } from "../context";
import { formatSeconds, quote } from "../format";
import { print } from "../output";
import { UsageError } from "../usage-error";

export function renderEvent(e: RuntimeEvent): string {
  return `${String(e.seq).padStart(5)}  ${formatSeconds(e.timeSeconds)}  ${e.kind} ${e.name}  ${e.reason}: ${e.message}`;
}

export function renderEvents(events: RuntimeEvent[]): string {
  if (events.length === 0) return "No events.";
  return events.map(renderEvent).join("\n");
}

/** Runs `work` and returns the events it caused. */
export async function eventsDuring(rt: Runtime, work: () => Promise<unknown>): Promise<RuntimeEvent[]> {
  const since = (await rt.events()).at(-1)?.seq ?? 0;
  await work();
  return rt.events({ sinceSeq: since });
}

interface EventOptions {
  follow?: boolean;
  kind?: string;
  name?: string;
  reason?: string;
  limit?: string;
  since?: string;
}

interface EventFilter {
  sinceSeq: number;
  sinceSeconds: number;
  matches(e: RuntimeEvent): boolean;
}

/** `--since` takes a sequence number (42) or a simulated time (01:30:00, 2d 03:00:00). */
function parseSince(text: string | undefined): { sinceSeq: number; sinceSeconds: number } {
  if (text === undefined) return { sinceSeq: 0, sinceSeconds: 0 };
  if (/^\d+$/.test(text)) return { sinceSeq: Number(text), sinceSeconds: 0 };
  const m = /^(?:(\d+)d\s*)?(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)$/.exec(text.trim());
  if (!m) throw new UsageError(`--since takes a sequence number or a simulated time like 01:30:00 or 2d 03:00:00, got ${quote(text)}`);
  return { sinceSeq: 0, sinceSeconds: Number(m[1] ?? 0) * 86_400 + Number(m[2]) * 3_600 + Number(m[3]) * 60 + Number(m[4]) };
}

function eventFilter(o: EventOptions): EventFilter {
  const since = parseSince(o.since);
  return {
    ...since,
    matches: (e) =>
      e.timeSeconds >= since.sinceSeconds &&
      (o.kind === undefined || e.kind === o.kind) &&
      (o.name === undefined || e.name === o.name) &&
      (o.reason === undefined || e.reason === o.reason),
  };
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`--limit takes a positive whole number, got ${quote(text)}`);
  return Number(text);
}

/** How often --follow looks for new events, in wall-clock milliseconds. */
const FOLLOW_POLL_MS = 300;

/** Prints new events as other processes add them, until Ctrl-C. */
async function follow(rt: Runtime, filter: EventFilter, fromSeq: number, json: boolean): Promise<void> {
  let stopped = false;
  const stop = () => (stopped = true);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    let seq = fromSeq;
    while (!stopped) {
      for (const e of await rt.events({ sinceSeq: seq })) {
        seq = e.seq;
        if (filter.matches(e)) print(json ? JSON.stringify(e) : renderEvent(e));
      }
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    }
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

export function registerEvents(cli: Cli): void {
  examples(
    cli.program
      .command("events")
      .description("the event log: what the runtime did and why")
      .option("--kind <kind>", "only events of this kind of object, e.g. VirtualMachine")
      .option("--name <name>", "only events of objects with this name")
      .option("--reason <reason>", "only events with this reason, e.g. HaRestarted")
      .option("--since <seq|time>", "only events after this sequence number, or at or after this simulated time (01:30:00)")
      .option("--limit <n>", "only the last n matching events")
      .option("-f, --follow", "keep printing new events as they come (JSON lines under --json), until Ctrl-C"),
    "polyvisor events --kind VirtualMachine --reason HaRestarted",
    "polyvisor events --since '2d 00:00:00' --limit 20",
    "polyvisor --json events --follow --name esx2",
  ).action((o: EventOptions) =>
    cli.withRuntime(
      async (rt) => {
        const filter = eventFilter(o);
        const limit = parseLimit(o.limit);
        const all = await rt.events({ sinceSeq: filter.sinceSeq });
        const matching = all.filter(filter.matches);
        const shown = limit === undefined ? matching : matching.slice(-limit);
        const json = cli.globals().json === true;
        const lastSeq = all.at(-1)?.seq ?? filter.sinceSeq;
        if (!o.follow) return cli.emit(shown, renderEvents);
        for (const e of shown) print(json ? JSON.stringify(e) : renderEvent(e));
        await follow(rt, filter, lastSeq, json);
      },
      { create: false },
    ),
  );
}
