/** Clusters for DRS tests: VMs started on one host (pinned, then released) so that DRS has work. */
import type { ClusterObject, HostObject, ObjectInput, Runtime, VirtualMachineObject } from "../../runtime";
import { cluster, esxHost, vm } from "./fixtures";

/**
 * vMotion's copy at the link's rate from the first round, instead of Xen's rate control (first round
 * at 100 Mbit/s): a 4 GB idle VM moves in about 33 s rather than 330 s, so that moves land well within
 * a DRS interval and pay for themselves (drs/cost-benefit.ts) as DRS tests expect.
 */
export const LINK_RATE_MIGRATION = { firstRoundMbps: 1000, maxRateMbps: 1000 };

export interface SkewOptions {
  clusterSpec?: Record<string, unknown>;
  hosts: number;
  /** VM name -> extra spec fields (workload, shares, ...). */
  vms: Record<string, Record<string, unknown>>;
  /** Where every VM starts. */
  startOn?: string;
}

export const hostNames = (n: number) => Array.from({ length: n }, (_, i) => `esx${i + 1}`);

export async function skewedCluster(rt: Runtime, o: SkewOptions): Promise<void> {
  await rt.apply(cluster("prod", { migration: LINK_RATE_MIGRATION, ...o.clusterSpec }));
  for (const h of hostNames(o.hosts)) await rt.apply(esxHost(h));
  for (const [name, extra] of Object.entries(o.vms)) {
    await rt.apply(vm(name, { ...extra, host: o.startOn ?? "esx1" }));
    await rt.apply(vm(name, extra));
  }
}

export const busy = (cpuDemandMhz: number, more: Record<string, unknown> = {}) => ({
  workload: { cpuDemandMhz, activeMemoryMb: 1024, ...more },
});

export async function clusterOf(rt: Runtime, name = "prod"): Promise<ClusterObject> {
  return (await rt.get("Cluster", name)) as ClusterObject;
}

export async function vmOf(rt: Runtime, name: string): Promise<VirtualMachineObject> {
  return (await rt.get("VirtualMachine", name)) as VirtualMachineObject;
}

export async function hostOf(rt: Runtime, name: string): Promise<HostObject> {
  return (await rt.get("Host", name)) as HostObject;
}

/** Where each VM runs, by name. */
export async function placement(rt: Runtime): Promise<Record<string, string | null>> {
  return Object.fromEntries(((await rt.list("VirtualMachine")) as VirtualMachineObject[]).map((v) => [v.name, v.status.currentHost]));
}

/**
 * Advances the clock until no migration is in flight, so that the moves DRS or maintenance started
 * have landed (each advance ends just past the last one due; a pass on the way may start more).
 */
export async function landMigrations(rt: Runtime): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const ends = ((await rt.list("VirtualMachine")) as VirtualMachineObject[]).flatMap((v) =>
      v.status.migration ? [v.status.migration.completesAtSeconds] : [],
    );
    if (ends.length === 0) return;
    await rt.advance(Math.max(...ends) - (await rt.now()) + 1e-6);
  }
  throw new Error("migrations still in flight after 20 advances");
}

export async function eventsSince(rt: Runtime, seq: number) {
  return rt.events({ sinceSeq: seq });
}

export async function lastSeq(rt: Runtime): Promise<number> {
  return (await rt.events()).at(-1)?.seq ?? 0;
}

export type { ObjectInput };
