/**
 * A whole state as one JSON document: every object as stored, the clock, the random source, the
 * pending timers and the event log. `state export` writes it, `state import` reads it back into an
 * empty state, so a datacenter can be backed up, diffed and moved; `apply --dry-run` tries changes
 * on such a copy.
 */
import { z } from "zod";
import { KINDS, Name, SPEC_SCHEMAS } from "../schema";
import { invalidInput, refuse } from "./core/kernel/errors";
import type { Changes, HostRecord, RuntimeEvent, RuntimeObject, World } from "./core/kernel/model";
import { keptDivisionProblem } from "./core/vms/vm-usage";
import { createWorld } from "./core/world-setup";

export const STATE_DUMP_FORMAT = "polyvisor-state";
export const STATE_DUMP_VERSION = 1;

const Finite = z.number().finite();
const NonNegative = Finite.min(0);

const DumpObject = z.strictObject({
  kind: z.enum(KINDS),
  name: Name,
  spec: z.record(z.string(), z.unknown()),
  status: z.record(z.string(), z.unknown()),
  generation: z.int().min(1),
});

const DumpTimer = z.strictObject({
  at: NonNegative,
  seq: z.int().min(0),
  task: z.string().min(1).max(100),
  kind: z.enum(KINDS),
  name: Name,
  data: z.unknown().optional(),
});

const DumpEvent = z.strictObject({
  seq: z.int().min(1),
  timeSeconds: NonNegative,
  kind: z.enum(KINDS),
  name: z.string().max(1000),
  reason: z.string().min(1).max(100),
  message: z.string().max(100_000),
});

export const StateDump = z
  .strictObject({
    format: z.literal(STATE_DUMP_FORMAT),
    version: z.literal(STATE_DUMP_VERSION),
    clockSeconds: NonNegative,
    randomState: z.int().min(0).max(0xffffffff),
    nextTimerSeq: z.int().min(0),
    timers: z.array(DumpTimer),
    objects: z.array(DumpObject),
    events: z.array(DumpEvent),
  })
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    d.objects.forEach((o, i) => {
      const key = `${o.kind}/${o.name}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["objects", i, "name"], message: `${key} appears twice` });
      seen.add(key);
      const spec = SPEC_SCHEMAS[o.kind].safeParse(o.spec);
      if (!spec.success) {
        const issue = spec.error.issues[0];
        ctx.addIssue({ code: "custom", path: ["objects", i, "spec", ...issue.path.map(String)], message: `${key}: ${issue.message}` });
      }
    });
    // Events keep their sequence numbers: an empty log numbers them from 1, one after another.
    d.events.forEach((e, i) => {
      if (e.seq !== i + 1)
        ctx.addIssue({ code: "custom", path: ["events", i, "seq"], message: `expected ${i + 1}: events are numbered from 1 without gaps` });
    });
    d.timers.forEach((t, i) => {
      if (t.seq >= d.nextTimerSeq)
        ctx.addIssue({ code: "custom", path: ["timers", i, "seq"], message: `must be below nextTimerSeq ${d.nextTimerSeq}` });
    });
  });
export type StateDump = z.infer<typeof StateDump>;

export function dumpWorld(world: World, events: RuntimeEvent[]): StateDump {
  return {
    format: STATE_DUMP_FORMAT,
    version: STATE_DUMP_VERSION,
    clockSeconds: world.meta.clockSeconds,
    randomState: world.meta.randomState,
    nextTimerSeq: world.meta.nextTimerSeq,
    // Fields in one order whatever order storage gave them, so that two exports of one state are identical.
    timers: world.meta.timers.map(({ at, seq, task, kind, name, data }) => ({
      at,
      seq,
      task,
      kind,
      name,
      ...(data === undefined ? {} : { data }),
    })),
    objects: KINDS.flatMap((kind) => world.list(kind)) as StateDump["objects"],
    events,
  };
}

export function parseDump(value: unknown): StateDump {
  const parsed = StateDump.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalidInput({ kind: "State", name: "import" }, parsed.error, "dump");
}

/**
 * The dump's objects, each host's kept usage division dropped where dividing the host among the
 * dump's VMs gives another (an edited dump): a DRS pass trusts a kept division on hosts it leaves
 * alone, and a host without one is divided at its first refresh. A dump as exported imports as it is.
 */
function withCurrentDivisions(objects: readonly RuntimeObject[]): RuntimeObject[] {
  const view = createWorld({ clockSeconds: 0, randomState: 0, timers: [], nextTimerSeq: 0 });
  for (const obj of objects) view.put(obj);
  return objects.map((obj) => {
    if (obj.kind !== "Host" || divisionHolds(view, obj as HostRecord)) return obj;
    const { usageDivision: _stale, ...status } = (obj as HostRecord).status;
    return { ...obj, status } as RuntimeObject;
  });
}

/** Whether the host's kept division holds among the dump's VMs; one that cannot be worked out (figures a dump broke) does not. */
function divisionHolds(view: World, host: HostRecord): boolean {
  try {
    return keptDivisionProblem(view, host) === undefined;
  } catch {
    return false;
  }
}

/** The changes that load `dump` into `world`, which must be empty (no objects, no events, the clock at 0). */
export function importChanges(world: World, eventCount: number, dump: StateDump): Changes {
  const objects = KINDS.reduce((n, kind) => n + world.count(kind), 0);
  if (objects > 0 || eventCount > 0 || world.meta.clockSeconds !== 0) {
    refuse(
      "Conflict",
      { kind: "State", name: "import" },
      `imports only into an empty state; this one has ${objects} object(s), ${eventCount} event(s) and its clock at ${world.meta.clockSeconds} s`,
    );
  }
  const timers = [...dump.timers].sort((a, b) => a.at - b.at || a.seq - b.seq);
  return {
    puts: withCurrentDivisions(dump.objects as RuntimeObject[]),
    removes: [],
    events: dump.events.map(({ seq: _seq, ...e }) => e),
    meta: { clockSeconds: dump.clockSeconds, randomState: dump.randomState, timers, nextTimerSeq: dump.nextTimerSeq },
  };
}
