/**
 * The Solaris Fair Share Scheduler for zones, on the shared allocation engine (System Administration
 * Guide: Solaris Containers - Resource Management and Solaris Zones, chapters "Fair Share Scheduler",
 * "Resource Pools" and "Non-Global Zone Configuration").
 * - A host's CPUs form processor sets: one per resource pool the host declares (disjoint), one
 *   temporary set per zone with dedicated-cpu, and pool_default with the rest, which keeps at least
 *   one CPU. Zones compete only inside their set.
 * - In a set, CPU goes to active zones in proportion to zone.cpu-shares (1 when unset); idle shares
 *   do not count and cycles are never left idle while someone wants them; a zone with 0 shares runs
 *   only on what zones with shares leave. Inside a zone, project shares divide the zone's part.
 * - capped-cpu ncpus is an absolute cap (1.25 = 125% of one CPU), binding even when CPUs are idle;
 *   nobody uses more CPUs than it has runnable threads.
 * Glossary: FSS = fair share scheduler, pset = processor set.
 */
import { type AllocationNode, allocateTree } from "../allocation/tree";
import type { CpuHost } from "./cpu-openvz";

export const ZONE_SHARES_DEFAULT = 1;
export const DEFAULT_POOL = "pool_default";

export interface FssProject {
  name: string;
  shares: number;
  demandMhz: number;
  threads?: number;
}

export interface FssZone {
  name: string;
  shares?: number;
  cappedCpus?: number;
  dedicatedCpus?: number;
  pool?: string;
  /** The zone's demand when it has no projects; with projects, theirs summed. */
  demandMhz: number;
  threads?: number;
  projects?: readonly FssProject[];
}

export interface ZoneHost extends CpuHost {
  /** Resource pools the host declares, each with its own CPUs. */
  pools: readonly { name: string; cpus: number }[];
}

export interface ProcessorSet {
  /** A pool's name, DEFAULT_POOL, or `SUNWtmp_<zone>` for a zone's dedicated CPUs (as Solaris names them). */
  name: string;
  cpus: number;
  zones: string[];
}

export type FssProblem = { zone?: string; field: string; text: string };

/** The host's processor sets for these zones, or why they cannot be formed. */
export function processorSets(
  host: ZoneHost,
  zones: readonly FssZone[],
): { ok: true; sets: ProcessorSet[] } | { ok: false; problems: FssProblem[] } {
  const problems: FssProblem[] = [];
  const sets: ProcessorSet[] = host.pools.map((p) => ({ name: p.name, cpus: p.cpus, zones: [] }));
  const byName = new Map(sets.map((s) => [s.name, s]));
  const defaultSet: ProcessorSet = { name: DEFAULT_POOL, cpus: 0, zones: [] };
  for (const z of zones) {
    if (z.dedicatedCpus !== undefined) {
      sets.push({ name: `SUNWtmp_${z.name}`, cpus: z.dedicatedCpus, zones: [z.name] });
    } else if (z.pool === undefined || z.pool === DEFAULT_POOL) {
      defaultSet.zones.push(z.name);
    } else {
      const set = byName.get(z.pool);
      if (set) set.zones.push(z.name);
      else
        problems.push({
          zone: z.name,
          field: "cpu.pool",
          text: `the host has no resource pool ${z.pool} (it has ${[DEFAULT_POOL, ...byName.keys()].join(", ")})`,
        });
    }
  }
  const taken = sets.reduce((s, p) => s + p.cpus, 0);
  defaultSet.cpus = host.cpus - taken;
  if (defaultSet.cpus < 1) {
    const claims = sets.map((s) => `${s.name} ${s.cpus}`).join(", ");
    problems.push({
      field: "cpu.dedicatedCpus",
      text: `the host's ${host.cpus} CPUs cannot hold these processor sets (${claims}) and keep one CPU for ${DEFAULT_POOL}`,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, sets: [defaultSet, ...sets] };
}

export interface FssResult {
  zones: Map<string, number>;
  /** Per zone with projects: project name to MHz. */
  projects: Map<string, Map<string, number>>;
  sets: ProcessorSet[];
}

/** What each zone (and each of its projects) gets now, in MHz (unrounded). */
export function fssEntitlements(
  host: ZoneHost,
  zones: readonly FssZone[],
): { ok: true; result: FssResult } | { ok: false; problems: FssProblem[] } {
  const formed = processorSets(host, zones);
  if (!formed.ok) return formed;
  const byName = new Map(zones.map((z) => [z.name, z]));
  const result: FssResult = { zones: new Map(), projects: new Map(), sets: formed.sets };
  for (const set of formed.sets) {
    const nodes = set.zones.map((name) => zoneNode(host, byName.get(name)!, set.cpus));
    const got = allocateTree(set.cpus * host.mhz, nodes);
    for (const name of set.zones) {
      result.zones.set(name, got.get(name)!);
      const projects = byName.get(name)!.projects ?? [];
      if (projects.length > 0) result.projects.set(name, new Map(projects.map((p) => [p.name, got.get(projectId(name, p.name))!])));
    }
  }
  return { ok: true, result };
}

/** Project ids cannot collide with zone names, which contain no "/". */
const projectId = (zone: string, project: string) => `${zone}/${project}`;

function parallelismCap(host: CpuHost, setCpus: number, threads: number | undefined): number {
  return Math.min(setCpus, threads ?? setCpus) * host.mhz;
}

function zoneNode(host: CpuHost, z: FssZone, setCpus: number): AllocationNode {
  const limit = Math.min(parallelismCap(host, setCpus, z.threads), z.cappedCpus === undefined ? Infinity : z.cappedCpus * host.mhz);
  // A dedicated set belongs to its zone alone, so its shares weigh against nobody.
  const shares = z.dedicatedCpus !== undefined ? 1 : (z.shares ?? ZONE_SHARES_DEFAULT);
  const base = { id: z.name, shares, reservation: 0, limit };
  const projects = z.projects ?? [];
  if (projects.length === 0) return { ...base, demand: z.demandMhz };
  return {
    ...base,
    children: projects.map((p) => ({
      id: projectId(z.name, p.name),
      shares: p.shares,
      reservation: 0,
      limit: parallelismCap(host, setCpus, p.threads),
      demand: p.demandMhz,
    })),
  };
}
