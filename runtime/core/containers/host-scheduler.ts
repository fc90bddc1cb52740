/**
 * What each running container on one host gets from the host's container scheduler now: the OpenVZ
 * fair scheduler (cpuunits) on openvz/virtuozzo hosts, the Fair Share Scheduler on zones hosts. The
 * result is `status.cpuEntitlementMhz`; the schedulers themselves live beside this module.
 */
import type { ContainerSpec } from "../../../schema/container";
import { type FssProblem, type ZoneHost, fssEntitlements } from "./cpu-fss";
import { openVzEntitlements } from "./cpu-openvz";

export interface SchedulerHost extends ZoneHost {
  hypervisor: string;
}

export interface ScheduledContainer {
  name: string;
  spec: ContainerSpec;
}

export interface ContainerEntitlement {
  cpuMhz: number;
  /** Per project, for zones with projects. */
  projectsMhz: Record<string, number>;
}

export type ScheduleResult = { ok: true; entitlements: Map<string, ContainerEntitlement> } | { ok: false; problems: FssProblem[] };

/** A container's demand: its workload's, or its projects' summed. */
export function demandMhz(spec: ContainerSpec): number {
  if (spec.projects.length > 0) return spec.projects.reduce((s, p) => s + (p.workload.cpuDemandMhz ?? 0), 0);
  return spec.workload.cpuDemandMhz ?? 0;
}

export function scheduleHost(host: SchedulerHost, containers: readonly ScheduledContainer[]): ScheduleResult {
  if (host.hypervisor !== "zones") {
    const got = openVzEntitlements(
      host,
      containers.map((c) => ({
        name: c.name,
        units: c.spec.cpu.units,
        limitPercent: c.spec.cpu.limitPercent,
        cpus: c.spec.cpu.cpus,
        demandMhz: demandMhz(c.spec),
        threads: c.spec.workload.threads,
      })),
    );
    return { ok: true, entitlements: new Map(containers.map((c) => [c.name, { cpuMhz: got.get(c.name)!, projectsMhz: {} }])) };
  }
  const zones = containers.map((c) => ({
    name: c.name,
    shares: c.spec.cpu.shares,
    cappedCpus: c.spec.cpu.cappedCpus,
    dedicatedCpus: c.spec.cpu.dedicatedCpus,
    pool: c.spec.cpu.pool,
    demandMhz: demandMhz(c.spec),
    threads: c.spec.workload.threads,
    projects: c.spec.projects.map((p) => ({
      name: p.name,
      shares: p.shares,
      demandMhz: p.workload.cpuDemandMhz ?? 0,
      threads: p.workload.threads,
    })),
  }));
  const r = fssEntitlements(host, zones);
  if (!r.ok) return r;
  const entitlements = new Map<string, ContainerEntitlement>();
  for (const z of zones) {
    entitlements.set(z.name, { cpuMhz: r.result.zones.get(z.name)!, projectsMhz: Object.fromEntries(r.result.projects.get(z.name) ?? []) });
  }
  return { ok: true, entitlements };
}
