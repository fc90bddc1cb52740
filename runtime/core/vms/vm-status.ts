/** A virtual machine's status as it starts, runs somewhere, or stops: one place for each shape. */
import type { VmSpec, VmStatus } from "../../../schema/virtual-machine";
import { claimsOnHost, guestClaims, guestCpuMhz, uncontended } from "../allocation/vm-claims";
import type { Resolution } from "../guests/guest-compatibility";
import type { Footprint, GuestCost } from "../guests/vm-footprint";

/** What a VM that runs nowhere shows: no host, no mode, nothing charged or used. */
const NOT_RUNNING = {
  currentHost: null,
  powerState: "off",
  virtualization: null,
  virtualizationReason: null,
  paging: null,
  overheadCpuMhz: 0,
  overheadCpuReservedMhz: 0,
  cpuDemandMhz: 0,
  cpuEntitlementMhz: 0,
  memoryEntitlementMb: 0,
  cpuUsedMhz: 0,
  memoryUsedMb: 0,
  haRestart: null,
} as const satisfies Partial<VmStatus>;

export function initialStatus(cluster: string | null): VmStatus {
  return {
    ...NOT_RUNNING,
    observedGeneration: 1,
    cluster,
    overheadMemoryMb: 0,
    overheadCpuPercent: 0,
    drsCooldownUntilSeconds: null,
    migrations: 0,
    lastMigration: null,
    migration: null,
    importedDisks: [],
    cdrom: null,
  };
}

/**
 * Running on `f.host` with the mode resolved there, demanding `cpuDemandMhz`; an HA restart in
 * progress stays as it is. Entitlement and usage start uncontended (the host's usage refresh and the
 * next DRS pass divide contention), the overhead on that host included.
 */
export function runningStatus(
  base: VmStatus,
  spec: VmSpec,
  f: Footprint,
  resolution: Resolution,
  reason: string,
  cost: GuestCost,
  cpuDemandMhz: number,
): VmStatus {
  const alone = uncontended(claimsOnHost(guestClaims(spec, cpuDemandMhz), cost));
  const guestCpu = guestCpuMhz(alone.cpuHostUsedMhz, cost.overheadCpuPercent);
  return {
    ...base,
    currentHost: f.host,
    powerState: "on",
    virtualization: resolution.mode,
    virtualizationReason: reason,
    paging: resolution.paging,
    overheadMemoryMb: cost.overheadMemoryMb,
    overheadCpuPercent: cost.overheadCpuPercent,
    overheadCpuMhz: alone.cpuHostUsedMhz - guestCpu,
    overheadCpuReservedMhz: f.cpuOverheadReservedMhz,
    cpuDemandMhz,
    cpuEntitlementMhz: alone.cpuEntitlementMhz,
    memoryEntitlementMb: alone.memoryEntitlementMb,
    cpuUsedMhz: guestCpu,
    memoryUsedMb: alone.memoryUsedMb,
  };
}

/**
 * Powered off: nothing runs, nothing is charged, and no HA restart is owed; the last overhead figures
 * stay for reference (HA admission control holds them for a VM awaiting a restart). VM Monitoring's
 * record goes: its reset count clears on power off (vSphere Availability 6.7, "VM and Application Monitoring").
 */
export function stoppedStatus(base: VmStatus): VmStatus {
  const { guestHealth: _cleared, ...rest } = base;
  return { ...rest, ...NOT_RUNNING };
}

/** The ISO in the CD drive follows the spec at once: mounting is an in-place change. */
export function withCdrom(status: VmStatus, spec: VmSpec): VmStatus {
  return { ...status, cdrom: spec.cdrom ?? null };
}
