/**
 * Refusals shown at preview: an update of an existing object is run on a fork of the runtime's state
 * (runtime.whatIf) when Pulumi diffs it, so a change the runtime would refuse (a reservation beyond
 * what a pool or HA admission control allows, a migration to a host that cannot take the VM, a host
 * entering maintenance whose VMs cannot leave) fails `pulumi preview` at that resource with the
 * runtime's message. A capacity refusal waits, as the change itself would, for other changes of the
 * same deployment to land (concurrency.ts): in `up` a host joining may lift it; in a preview nothing
 * lands, so it is reported. Objects not in the runtime yet (creates) are not judged.
 */
import { PolyvisorError, type Runtime } from "../runtime";
import type { ManagedKind } from "../schema";
import { changeWhenCapacityArrives } from "./concurrency";

/** Throws the runtime's refusal of `spec` as an update of `name`, judged on a fork; nothing is persisted. */
export async function judgeUpdateOnFork(rt: Runtime, kind: ManagedKind, name: string, spec: object): Promise<void> {
  const existing = await rt.get(kind, name);
  // A move in flight holds the change until it lands (migrations.ts): the update is judged then.
  if (!existing || (existing.status as { migration?: unknown }).migration) return;
  await changeWhenCapacityArrives(async () => {
    const [step] = (await rt.whatIf([{ type: "apply", kind, name, spec }])).steps;
    const e = step.error;
    if (e) throw new PolyvisorError(e.code, { kind: e.kind, name: e.name, field: e.field }, e.reason, e.details);
  });
}
