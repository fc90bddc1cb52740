/**
 * What the commands that change something share: reading an object to change one field of its
 * spec, waiting for the work it started (the runtime's settle), and reporting what happened.
 */
import type { Kind, Runtime, RuntimeEvent, RuntimeObject } from "../runtime";
import { PolyvisorError } from "../runtime/api";
import type { Cli } from "./context";
import { formatSeconds } from "./format";
import { eventsDuring, renderEvents } from "./commands/events";

export async function getOrRefuse(rt: Runtime, kind: Kind, name: string): Promise<RuntimeObject> {
  const obj = await rt.get(kind, name);
  if (!obj) throw new PolyvisorError("NotFound", { kind, name }, `no ${kind} named ${name} exists`);
  return obj;
}

/** Updates the object with `patch` laid over its current spec. */
export async function patchSpec(rt: Runtime, kind: Kind, name: string, patch: Record<string, unknown>): Promise<RuntimeObject> {
  const obj = await getOrRefuse(rt, kind, name);
  return rt.update({ kind, name, spec: { ...(obj.spec as object), ...patch } });
}

/** Progress while waiting goes to stderr, a line per move of the clock, so stdout stays the result; none under --json. */
function progressLines(cli: Cli, rt: Runtime, progress: ((rt: Runtime) => Promise<string>) | undefined): (() => Promise<void>) | undefined {
  if (!progress || cli.globals().json) return undefined;
  return async () => {
    process.stderr.write(`${await progress(rt)}\n`);
  };
}

export interface OperationResult {
  timeSeconds: number;
  object: RuntimeObject | null;
  events: RuntimeEvent[];
}

/**
 * Runs `work` (which returns the object it changed), waits for that object to settle unless told
 * not to, and prints the events caused, the simulated time and how to follow what comes next.
 */
export async function runOperation(
  cli: Cli,
  work: (rt: Runtime) => Promise<{ kind: Kind; name: string } | undefined>,
  opts: { wait?: boolean; hint?: string; progress?: (rt: Runtime) => Promise<string> } = {},
): Promise<void> {
  await cli.withRuntime(async (rt) => {
    const { settleWithProgress } = await import("../runtime");
    let target: { kind: Kind; name: string } | undefined;
    const events = await eventsDuring(rt, async () => {
      target = await work(rt);
      if (target && opts.wait !== false) await settleWithProgress(rt, target.kind, target.name, progressLines(cli, rt, opts.progress));
    });
    const result: OperationResult = {
      timeSeconds: await rt.now(),
      object: target ? ((await rt.get(target.kind, target.name)) ?? null) : null,
      events,
    };
    cli.emit(result, (r) =>
      [renderEvents(r.events), `Simulated time is ${formatSeconds(r.timeSeconds)}${opts.hint ? `; ${opts.hint}` : ""}`].join("\n"),
    );
  });
}
