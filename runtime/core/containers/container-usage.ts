/**
 * The CPU each running container gets on its host now, from the host's container scheduler
 * (host-scheduler.ts), written to `status.cpuEntitlementMhz`; and the host's usage and entitlement
 * totals, which DRS reads like a VM host's. Memory used is each container's limit plus overhead.
 */
import { wholeUnits } from "../allocation/divide";
import type { ContainerRecord, HostRecord } from "../kernel/model";
import type { Txn } from "../kernel/txn";
import { scheduleHost } from "./host-scheduler";
import { containerOverheadCpuMhz } from "./container-overhead";
import { memoryNeedMb } from "./placement";

export function refreshContainerHost(txn: Txn, host: HostRecord): void {
  const containers = txn.relatedObjects<ContainerRecord>("containersOnHost", host.name);
  const cpus = host.spec.cpu.sockets * host.spec.cpu.coresPerSocket;
  const result = scheduleHost(
    { hypervisor: host.spec.hypervisor, cpus, mhz: host.spec.cpu.mhz, pools: host.spec.cpuPools ?? [] },
    containers,
  );
  if (!result.ok)
    throw new Error(`internal: processor sets of ${host.name} no longer form: ${result.problems.map((p) => p.text).join("; ")}`);
  let cpuUsedMhz = 0;
  let memoryUsedMb = 0;
  for (const c of containers) {
    const got = result.entitlements.get(c.name)!;
    const cpu = wholeUnits(got.cpuMhz);
    const projects = wholeProjects(got.projectsMhz);
    cpuUsedMhz += cpu + containerOverheadCpuMhz(cpu);
    memoryUsedMb += memoryNeedMb(c.spec);
    if (c.status.cpuEntitlementMhz !== cpu || !sameFigures(c.status.projectEntitlementsMhz, projects)) {
      txn.put<ContainerRecord>({ ...c, status: { ...c.status, cpuEntitlementMhz: cpu, projectEntitlementsMhz: projects } });
    }
  }
  cpuUsedMhz = wholeUnits(cpuUsedMhz);
  const s = host.status;
  if (
    s.cpuUsedMhz !== cpuUsedMhz ||
    s.memoryUsedMb !== memoryUsedMb ||
    s.cpuEntitlementMhz !== cpuUsedMhz ||
    s.memoryEntitlementMb !== memoryUsedMb
  ) {
    txn.put<HostRecord>({
      ...host,
      status: { ...s, cpuUsedMhz, memoryUsedMb, cpuEntitlementMhz: cpuUsedMhz, memoryEntitlementMb: memoryUsedMb },
    });
  }
}

const NO_PROJECTS: Record<string, number> = {};

function wholeProjects(mhz: Record<string, number>): Record<string, number> {
  const names = Object.keys(mhz);
  return names.length === 0 ? NO_PROJECTS : Object.fromEntries(names.map((p) => [p, wholeUnits(mhz[p])]));
}

function sameFigures(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
