/**
 * In the runtime a migration takes simulated time; a Pulumi update that moves a VM waits for it, as a
 * real provider waits for a vMotion task: it moves the simulated clock to the migration's end (DRS and
 * HA timers due meanwhile run too). A VM already migrating when an update arrives is awaited first.
 */
import type { Runtime, RuntimeObject } from "../runtime";

/** Timers fire at their due time; a hair more absorbs float rounding in `completes - now`. */
const EPSILON_SECONDS = 1e-6;
const MAX_WAITS = 100;

function migrationEnd(obj: RuntimeObject | undefined): number | undefined {
  return (obj?.status as { migration?: { completesAtSeconds: number } | null } | undefined)?.migration?.completesAtSeconds;
}

/** The VM once no migration of it is in flight. */
export async function awaitMigration(rt: Runtime, name: string): Promise<RuntimeObject | undefined> {
  for (let i = 0; i < MAX_WAITS; i++) {
    const vm = await rt.get("VirtualMachine", name);
    const end = migrationEnd(vm);
    if (end === undefined) return vm;
    await rt.advance(Math.max(0, end - (await rt.now())) + EPSILON_SECONDS);
  }
  throw new Error(`VirtualMachine ${name}: still migrating after ${MAX_WAITS} waits`);
}
