/**
 * Waiting for an object's pending work to land, as a real management tool waits for its task: a
 * VM's live migration or a container's move lands when the clock reaches its end, and a host
 * entering maintenance is done once its VMs and containers have left. Settling moves the simulated
 * clock just far enough (DRS and HA timers due meanwhile run too), bounded in steps and in time.
 * It is written against the Runtime interface alone, so every runtime settles the same way.
 */
import { MAX_ADVANCE_SECONDS } from "../schema/common";
import type { Kind, Runtime, RuntimeObject, SettleOutcome } from "./api";
import { PolyvisorError } from "./core/kernel/errors";

/** Timers fire at their due time; a hair more absorbs float rounding in `completes - now`. */
const EPSILON_SECONDS = 1e-6;
/** Clock moves one settle may make: each lands at least one move, or finds an evacuation stalled. */
const MAX_STEPS = 100;

interface InFlight {
  fromHost: string;
  completesAtSeconds: number;
}

function migrationOf(obj: RuntimeObject | undefined): InFlight | undefined {
  return (obj?.status as { migration?: InFlight | null } | undefined)?.migration ?? undefined;
}

function isEnteringMaintenance(host: RuntimeObject | undefined): boolean {
  return (host?.status as { state?: string } | undefined)?.state === "enteringMaintenance";
}

/**
 * The next simulated time worth reaching for `kind`/`name`, or undefined once nothing is pending.
 * A host evacuating with nothing in flight is retried now; twice in a row means it has stalled.
 */
async function nextLanding(rt: Runtime, kind: Kind, name: string, idle: { count: number }): Promise<number | undefined> {
  if (kind === "VirtualMachine" || kind === "Container") return migrationOf(await rt.get(kind, name))?.completesAtSeconds;
  if (kind !== "Host" || !isEnteringMaintenance(await rt.get("Host", name))) return undefined;
  const moving = [...(await rt.list("VirtualMachine")), ...(await rt.list("Container"))];
  const leaving = moving.map(migrationOf).filter((m): m is InFlight => m?.fromHost === name);
  if (leaving.length > 0) {
    idle.count = 0;
    return Math.min(...leaving.map((m) => m.completesAtSeconds));
  }
  if (++idle.count > 1) {
    const stalled = (await rt.events()).filter((e) => e.kind === "Host" && e.name === name && e.reason === "MaintenanceStalled").at(-1);
    throw new PolyvisorError(
      "Conflict",
      { kind: "Host", name },
      `cannot finish entering maintenance mode${stalled ? `: ${stalled.message}` : ""}`,
    );
  }
  return rt.now();
}

/**
 * Advances the clock until `kind`/`name` has no migration, move or evacuation in flight; `onStep`
 * runs after each move of the clock (a CLI shows progress there).
 */
export async function settle(rt: Runtime, kind: Kind, name: string, onStep?: () => Promise<void>): Promise<SettleOutcome> {
  const start = await rt.now();
  const firstSeq = (await rt.events()).at(-1)?.seq ?? 0;
  const idle = { count: 0 };
  for (let step = 0; step < MAX_STEPS; step++) {
    const at = await nextLanding(rt, kind, name, idle);
    if (at === undefined) {
      return {
        object: await rt.get(kind, name),
        advancedSeconds: (await rt.now()) - start,
        events: await rt.events({ sinceSeq: firstSeq }),
      };
    }
    const now = await rt.now();
    if (at - start > MAX_ADVANCE_SECONDS) break;
    await rt.advance(Math.max(0, at - now) + EPSILON_SECONDS);
    await onStep?.();
  }
  throw new PolyvisorError(
    "Conflict",
    { kind, name },
    `still has work in flight after ${MAX_STEPS} steps or ${MAX_ADVANCE_SECONDS / 86_400} simulated days; see polyvisor events --name ${name}`,
  );
}
