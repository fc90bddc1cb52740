/**
 * In the runtime a migration takes simulated time; a Pulumi update that moves a VM waits for it, as a
 * real provider waits for a vMotion task, and an update that puts a host in maintenance waits until
 * its VMs and containers have moved away, as vCenter's "enter maintenance mode" task does. The
 * waiting itself is the runtime's `settle`, shared with the CLI's --wait.
 */
import type { Runtime, RuntimeObject } from "../runtime";

/** The kinds that move between hosts in simulated time. */
export type MovingKind = "VirtualMachine" | "Container";

/** The VM or container once no migration (move) of it is in flight. */
export async function awaitMigration(rt: Runtime, kind: MovingKind, name: string): Promise<RuntimeObject | undefined> {
  return (await rt.settle(kind, name)).object;
}

/** The host once it no longer evacuates for maintenance; an evacuation that cannot go on fails with the runtime's reason. */
export async function awaitMaintenance(rt: Runtime, name: string): Promise<RuntimeObject | undefined> {
  return (await rt.settle("Host", name)).object;
}
