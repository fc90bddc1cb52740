/**
 * Where a container can run and where it goes. A container is not a guest with its own kernel, so
 * the VM plugins (modes, vCPUs, hypervisor overhead) do not apply; its filters are few: the host is
 * connected, its kernel suits the template (kernel-sharing.ts), its memory holds the container's
 * limit plus overhead, and on a zones host the processor sets still form with the container in
 * them. Among the hosts that pass, the one left with the most free memory (as a fraction) wins; ties
 * go to the name that sorts first.
 */
import type { ContainerSpec } from "../../../schema/container";
import { type ErrorCode, refuse } from "../kernel/errors";
import { profileOf } from "../hypervisors/profiles";
import type { ContainerRecord, HostRecord, TemplateRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { processorSets } from "./cpu-fss";
import { type Brand, type ContainerHostFacts, kernelVerdict } from "./kernel-sharing";
import { containerOverheadMemoryMb } from "./container-overhead";
import { findTemplate } from "./templates";

export interface ContainerRequest {
  name: string;
  spec: ContainerSpec;
  template: TemplateRecord;
}

interface Rejection {
  host: string;
  code: ErrorCode;
  reason: string;
}

export type ContainerPlacement =
  | { placed: true; host: HostRecord; brand: Brand; freeAfter: number }
  | { placed: false; rejections: Rejection[] };

function hostFacts(txn: Txn, host: HostRecord, self: string): ContainerHostFacts {
  const support = profileOf(host.spec).containers;
  let kernelFamily = host.spec.containerOsFamily ?? (support?.osFamilies.length === 1 ? support.osFamilies[0] : undefined);
  if (kernelFamily === undefined && support) {
    // A Virtuozzo host without a declared kernel runs the family of the containers already there.
    const other = txn.related("containersOnHost", host.name).find((n) => n !== self);
    const c = other === undefined ? undefined : txn.get<ContainerRecord>("Container", other);
    kernelFamily = c && findTemplate(txn, c.spec.template)?.spec.osFamily;
  }
  return { name: host.name, hypervisor: host.spec.hypervisor, support, kernelFamily, longMode: host.spec.cpu.features.includes("lm") };
}

/** The zones on the host (other than this one) with this one added, as the FSS forms processor sets. */
function processorSetProblem(txn: Txn, host: HostRecord, req: ContainerRequest): { code: ErrorCode; reason: string } | undefined {
  if (host.spec.hypervisor !== "zones") return undefined;
  const zones = txn
    .relatedObjects<ContainerRecord>("containersOnHost", host.name)
    .filter((c) => c.name !== req.name)
    .map((c) => ({ name: c.name, dedicatedCpus: c.spec.cpu.dedicatedCpus, pool: c.spec.cpu.pool, demandMhz: 0 }));
  zones.push({ name: req.name, dedicatedCpus: req.spec.cpu.dedicatedCpus, pool: req.spec.cpu.pool, demandMhz: 0 });
  const cpus = host.spec.cpu.sockets * host.spec.cpu.coresPerSocket;
  const formed = processorSets({ cpus, mhz: host.spec.cpu.mhz, pools: host.spec.cpuPools ?? [] }, zones);
  if (formed.ok) return undefined;
  const p = formed.problems[0];
  return { code: p.field === "cpu.pool" ? "Incompatible" : "InsufficientCapacity", reason: p.text };
}

/** Memory the container holds on a host: its limit plus overhead. */
export function memoryNeedMb(spec: ContainerSpec): number {
  return spec.memoryMb + containerOverheadMemoryMb(spec.memoryMb);
}

/**
 * Why the host cannot take the container, or its brand there. HA failover hosts take only restarts
 * (and keep what already runs on them), as for VMs.
 */
export function judgeHost(
  txn: Txn,
  host: HostRecord,
  req: ContainerRequest,
  mayUseFailoverHost = false,
): { ok: true; brand: Brand; freeAfter: number } | { ok: false; code: ErrorCode; reason: string } {
  if (host.status.state !== "connected") return { ok: false, code: "InsufficientCapacity", reason: `host is ${host.status.state}` };
  if (host.status.haFailoverHost && !mayUseFailoverHost)
    return { ok: false, code: "AdmissionControl", reason: "an HA failover host: it takes only HA restarts" };
  const verdict = kernelVerdict(hostFacts(txn, host, req.name), { name: req.template.name, spec: req.template.spec });
  if (!verdict.ok) return { ok: false, code: "Incompatible", reason: verdict.reason };
  const need = memoryNeedMb(req.spec);
  const free = host.status.memoryCapacityMb - host.status.memoryReservedMb;
  if (need > free)
    return { ok: false, code: "InsufficientCapacity", reason: `needs ${need} MB (limit plus overhead), ${free} MB unreserved` };
  const sets = processorSetProblem(txn, host, req);
  if (sets) return { ok: false, ...sets };
  return { ok: true, brand: verdict.brand, freeAfter: (free - need) / host.status.memoryCapacityMb };
}

export function placeContainer(
  txn: Txn,
  req: ContainerRequest,
  hosts: readonly HostRecord[],
  mayUseFailoverHosts = false,
): ContainerPlacement {
  let best: { host: HostRecord; brand: Brand; freeAfter: number } | undefined;
  const rejections: Rejection[] = [];
  for (const host of hosts) {
    const v = judgeHost(txn, host, req, mayUseFailoverHosts);
    if (!v.ok) rejections.push({ host: host.name, code: v.code, reason: v.reason });
    else if (!best || v.freeAfter > best.freeAfter) best = { host, brand: v.brand, freeAfter: v.freeAfter };
  }
  return best ? { placed: true, ...best } : { placed: false, rejections };
}

/**
 * Refuses a failed placement: Incompatible when no host's kernel suits the template, AdmissionControl
 * when a host is held back only as an HA failover host, else InsufficientCapacity.
 */
export function refusePlacement(req: ContainerRequest, field: string, rejections: Rejection[], what: string): never {
  const incompatible = rejections.length > 0 && rejections.every((r) => r.code === "Incompatible");
  const code: ErrorCode = incompatible
    ? "Incompatible"
    : rejections.some((r) => r.code === "AdmissionControl")
      ? "AdmissionControl"
      : "InsufficientCapacity";
  const reason = incompatible && rejections.length === 1 ? rejections[0].reason : what;
  refuse(
    code,
    { kind: "Container", name: req.name, field },
    reason,
    rejections.map((r) => `${r.host}: ${r.reason}`),
  );
}
