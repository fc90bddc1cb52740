/**
 * What-if on a fork: runs steps (fail or recover hosts, add or remove hosts, advance time, apply or
 * delete objects) on a fork of the world and reports what would happen. The fork is one operation's
 * working copy (a Txn) that every step writes through, as a long `advance` does, so forking costs
 * nothing however large the world; its changes are never committed, and the world itself is never
 * touched. A refused step is reported and the fork goes on without it, as the real runtime would: a
 * refusal may have left partial writes in the working copy, so the steps taken so far are replayed
 * on a fresh one (the core is deterministic: the same steps give the same state).
 * Glossary: DRS = Distributed Resource Scheduler, HA = high availability.
 */
import { type Command, executeIn } from "./commands";
import { LoadState } from "./drs/imbalance";
import { type ErrorCode, isPolyvisorError } from "./kernel/errors";
import { clusterHaStatus } from "./ha/cluster-figures";
import type { FailureMode } from "./host-lifecycle";
import type { ApplyInputs } from "./kinds/common";
import {
  type ClusterRecord,
  type HostRecord,
  type Kind,
  type NewEvent,
  type RuntimeObject,
  type VmRecord,
  type World,
  compareNames,
} from "./kernel/model";
import { Txn } from "./kernel/txn";

export type WhatIfStep =
  | { type: "failHost"; host: string; mode?: FailureMode }
  | { type: "recoverHost"; host: string }
  | { type: "addHost"; name: string; spec: object }
  | { type: "removeHost"; name: string }
  | { type: "advance"; seconds: number }
  | { type: "apply"; kind: string; name: string; spec: object }
  | { type: "delete"; kind: string; name: string };

export interface ClusterFigures {
  /**
   * DRS imbalance of the connected hosts now (drs/imbalance.ts's measure), from each host's entitled
   * load: a VM migrating counts on both hosts until it lands, where a DRS pass counts it at its target.
   */
  imbalance: number;
  /** Host failures the cluster tolerates now (slot arithmetic, whatever the policy). */
  failoverCapacity: number;
  cpuFailoverPercent: number;
  memoryFailoverPercent: number;
  pendingRestarts: number;
  usableHosts: number;
}

/** A refused step: the runtime's error, with its subject, so a caller can raise it again as it was. */
export interface WhatIfRefusal {
  code: ErrorCode;
  message: string;
  kind: string;
  name: string;
  field?: string;
  reason: string;
  details: string[];
}

export interface WhatIfMove {
  vm: string;
  fromHost: string | null;
  toHost: string | null;
}

export interface WhatIfReport {
  /** Each step and whether the runtime took it, or its refusal. */
  steps: { step: number; type: WhatIfStep["type"]; ok: boolean; error?: WhatIfRefusal }[];
  /** VMs HA restarted, from where to where. */
  restarts: WhatIfMove[];
  /** VMs HA could not place by the end, with why. */
  pendingRestarts: { vm: string; fromHost: string; reason: string }[];
  /** Power-ons and restarts admission control refused: refused steps and AdmissionRefused events. */
  admissionRefusals: { name: string; message: string }[];
  /** DRS migrations started. */
  drsMoves: WhatIfMove[];
  clusters: { cluster: string; before: ClusterFigures; after: ClusterFigures }[];
  /** Everything the fork's steps emitted, in order (not stored anywhere). */
  events: NewEvent[];
  timeSecondsBefore: number;
  timeSecondsAfter: number;
}

function commandOf(step: WhatIfStep, inputs: ApplyInputs | undefined): Command {
  switch (step.type) {
    case "failHost":
      return { type: "failHost", name: step.host, mode: step.mode ?? "crash" };
    case "recoverHost":
      return { type: "recoverHost", name: step.host };
    case "addHost":
      return { type: "apply", kind: "Host", name: step.name, spec: step.spec, mode: "create" };
    case "removeHost":
      return { type: "delete", kind: "Host", name: step.name };
    case "advance":
      return { type: "advance", seconds: step.seconds };
    case "apply":
      return { type: "apply", kind: step.kind, name: step.name, spec: step.spec, mode: "upsert", inputs };
    case "delete":
      return { type: "delete", kind: step.kind, name: step.name };
  }
}

function imbalanceOf(hosts: readonly HostRecord[]): number {
  const balanced = hosts.filter((h) => h.status.state === "connected" && !h.status.haFailoverHost);
  return new LoadState(
    balanced.map((h) => ({
      cpuCapacity: h.status.cpuCapacityMhz,
      memoryCapacity: h.status.memoryCapacityMb,
      cpuLoad: h.status.cpuEntitlementMhz,
      memoryLoad: h.status.memoryEntitlementMb,
    })),
  ).imbalance();
}

function figures(view: Txn): Map<string, ClusterFigures> {
  const out = new Map<string, ClusterFigures>();
  for (const cluster of view.list<ClusterRecord>("Cluster")) {
    const ha = clusterHaStatus(view, cluster);
    out.set(cluster.name, {
      imbalance: imbalanceOf(view.relatedObjects<HostRecord>("hostsInCluster", cluster.name)),
      failoverCapacity: ha.currentFailoverCapacity,
      cpuFailoverPercent: ha.cpuFailoverPercent,
      memoryFailoverPercent: ha.memoryFailoverPercent,
      pendingRestarts: ha.pendingRestarts,
      usableHosts: Object.keys(ha.slotsPerHost).length,
    });
  }
  return out;
}

const hostOf = (view: { get(kind: Kind, name: string): RuntimeObject | undefined }, vm: string) =>
  (view.get("VirtualMachine", vm) as VmRecord | undefined)?.status.currentHost ?? null;

/**
 * Runs the steps on a fork of `world`. `inputs` holds what an apply step read outside the core
 * (a VM's disk images), by step index.
 */
export function whatIf(world: World, steps: readonly WhatIfStep[], inputs: ReadonlyMap<number, ApplyInputs> = new Map()): WhatIfReport {
  const before = figures(new Txn(world));
  const commands = steps.map((step, i) => commandOf(step, inputs.get(i)));
  const taken: number[] = [];
  const report: WhatIfReport["steps"] = [];
  const admissionRefusals: WhatIfReport["admissionRefusals"] = [];
  let fork = new Txn(world);
  commands.forEach((command, i) => {
    try {
      executeIn(fork, command);
      taken.push(i);
      report.push({ step: i, type: steps[i].type, ok: true });
    } catch (e) {
      if (!isPolyvisorError(e)) throw e;
      const error: WhatIfRefusal = {
        code: e.code,
        message: e.message,
        kind: e.kind,
        name: e.objectName,
        ...(e.field === undefined ? {} : { field: e.field }),
        reason: e.reason,
        details: e.details,
      };
      report.push({ step: i, type: steps[i].type, ok: false, error });
      if (e.code === "AdmissionControl") admissionRefusals.push({ name: e.objectName, message: e.message });
      fork = new Txn(world);
      for (const t of taken) executeIn(fork, commands[t]);
    }
  });
  const events = [...fork.events];
  const movesBy = (reason: string): WhatIfMove[] => {
    const names = [...new Set(events.filter((e) => e.reason === reason && e.kind === "VirtualMachine").map((e) => e.name))].sort(
      compareNames,
    );
    return names.map((vm) => ({ vm, fromHost: hostOf(world, vm), toHost: hostOf(fork, vm) }));
  };
  for (const e of events) if (e.reason === "AdmissionRefused") admissionRefusals.push({ name: e.name, message: e.message });
  const pendingRestarts = fork
    .list<ClusterRecord>("Cluster")
    .flatMap((cluster) =>
      fork.relatedObjects<VmRecord>("haRestartsInCluster", cluster.name).flatMap((vm) => {
        const r = vm.status.haRestart;
        return r?.state === "pendingRestart" ? [{ vm: vm.name, fromHost: r.fromHost, reason: r.pendingReason ?? "" }] : [];
      }),
    )
    .sort((a, b) => compareNames(a.vm, b.vm));
  const after = figures(fork);
  const clusters = [...new Set([...before.keys(), ...after.keys()])].sort(compareNames).flatMap((cluster) => {
    const b = before.get(cluster);
    const a = after.get(cluster);
    return b && a ? [{ cluster, before: b, after: a }] : [];
  });
  return {
    steps: report,
    restarts: movesBy("HaRestarted"),
    pendingRestarts,
    admissionRefusals,
    drsMoves: movesBy("DrsMigrated"),
    clusters,
    events,
    timeSecondsBefore: world.meta.clockSeconds,
    timeSecondsAfter: fork.clockSeconds,
  };
}
