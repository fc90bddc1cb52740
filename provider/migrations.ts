/**
 * In the runtime a migration takes simulated time; a Pulumi update that moves a VM waits for it, as a
 * real provider waits for a vMotion task: it moves the simulated clock to the migration's end (DRS and
 * HA timers due meanwhile run too). A container's move (checkpoint/restore, zone detach/attach) is
 * awaited the same way. A VM or container already moving when an update arrives is awaited first.
 * Likewise an update that puts a host in maintenance waits until its VMs and containers have moved
 * away and the host reports maintenance, as vCenter's "enter maintenance mode" task does.
 */
import type { Runtime, RuntimeObject } from "../runtime";

/** Timers fire at their due time; a hair more absorbs float rounding in `completes - now`. */
const EPSILON_SECONDS = 1e-6;
const MAX_WAITS = 100;

/** The kinds that move between hosts in simulated time. */
export type MovingKind = "VirtualMachine" | "Container";

interface InFlight {
  fromHost: string;
  completesAtSeconds: number;
}

function migrationOf(obj: RuntimeObject | undefined): InFlight | undefined {
  return (obj?.status as { migration?: InFlight | null } | undefined)?.migration ?? undefined;
}

/** Moves the clock just past `at` (or not at all when it is due). */
async function advanceTo(rt: Runtime, at: number): Promise<void> {
  await rt.advance(Math.max(0, at - (await rt.now())) + EPSILON_SECONDS);
}

/** The VM or container once no migration (move) of it is in flight. */
export async function awaitMigration(rt: Runtime, kind: MovingKind, name: string): Promise<RuntimeObject | undefined> {
  for (let i = 0; i < MAX_WAITS; i++) {
    const obj = await rt.get(kind, name);
    const m = migrationOf(obj);
    if (m === undefined) return obj;
    await advanceTo(rt, m.completesAtSeconds);
  }
  throw new Error(`${kind} ${name}: still migrating after ${MAX_WAITS} waits`);
}

/** The host once it no longer evacuates for maintenance; an evacuation that cannot go on fails with the runtime's reason. */
export async function awaitMaintenance(rt: Runtime, name: string): Promise<RuntimeObject | undefined> {
  let idle = 0;
  for (let i = 0; i < MAX_WAITS; i++) {
    const host = await rt.get("Host", name);
    if ((host?.status as { state?: string } | undefined)?.state !== "enteringMaintenance") return host;
    const moving = [...(await rt.list("VirtualMachine")), ...(await rt.list("Container"))];
    const leaving = moving.map(migrationOf).filter((m): m is InFlight => m?.fromHost === name);
    // Nothing in flight: a retry due now may start the evacuation again; twice in a row, it has stalled.
    if (leaving.length === 0 && ++idle > 1) {
      const stalled = (await rt.events()).filter((e) => e.name === name && e.reason === "MaintenanceStalled").at(-1);
      throw new Error(`Host ${name}: cannot finish entering maintenance mode${stalled ? `: ${stalled.message}` : ""}`);
    }
    if (leaving.length > 0) idle = 0;
    await advanceTo(rt, leaving.length > 0 ? Math.min(...leaving.map((m) => m.completesAtSeconds)) : await rt.now());
  }
  throw new Error(`Host ${name}: still entering maintenance mode after ${MAX_WAITS} waits`);
}
