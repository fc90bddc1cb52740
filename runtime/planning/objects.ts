/**
 * The objects a plan declares, in the order they must be applied: the cluster, its hosts, then
 * each VM pinned to its planned host. The written Pulumi program declares the same objects.
 */
import type { ObjectInput } from "../api";
import type { Plan } from "./consolidate";

/** A VM's spec as the plan declares it: pinned to its host; a server with a disk image imports it (P2V). */
export function plannedVmSpec(vm: Plan["vmSpecs"][number], datastore: string | undefined): object {
  const { spec, image } = vm;
  return image === undefined || datastore === undefined ? spec : { ...spec, disks: [{ datastore, importFrom: image }] };
}

/** The shared datastore that carries imported disks, when some server names a disk image. */
export function plannedDatastore(plan: Plan): { name: string; capacityGb: number } | undefined {
  if (!plan.vmSpecs.some((v) => v.image !== undefined)) return undefined;
  return { name: `${plan.cluster.name}-images`, capacityGb: 1_000_000 };
}

export function planObjects(plan: Plan): ObjectInput[] {
  const ds = plannedDatastore(plan);
  return [
    { kind: "Cluster", name: plan.cluster.name, spec: plan.cluster.spec },
    ...(ds ? [{ kind: "Datastore" as const, name: ds.name, spec: { type: "nfs", capacityGb: ds.capacityGb } }] : []),
    ...plan.hostSpecs.map((h) => ({ kind: "Host" as const, name: h.name, spec: ds ? { ...h.spec, datastores: [ds.name] } : h.spec })),
    ...plan.vmSpecs.map((v) => ({ kind: "VirtualMachine" as const, name: v.name, spec: plannedVmSpec(v, ds?.name) })),
  ];
}
