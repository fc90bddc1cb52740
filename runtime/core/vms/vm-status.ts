/** A virtual machine's status as it starts, runs somewhere, or stops: one place for each shape. */
import type { VmSpec } from "../../../schema/virtual-machine";
import { claimsOnHost, guestClaims, uncontended } from "../allocation/vm-claims";
import type { Resolution } from "../guests/guest-compatibility";
import type { Footprint, GuestCost } from "../guests/vm-footprint";
import type { StoredVmStatus } from "../kernel/model";

/** What a VM that runs nowhere shows: no host, no mode, nothing charged or used. */
const NOT_RUNNING = {
  currentHost: null,
  powerState: "off",
  virtualization: null,
  virtualizationReason: null,
  paging: null,
  overheadCpuReservedMhz: 0,
  cpuDemandMhz: 0,
  cpuEntitlementMhz: 0,
  memoryEntitlementMb: 0,
  haRestart: null,
} as const satisfies Partial<StoredVmStatus>;

export function initialStatus(cluster: string | null): StoredVmStatus {
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
 * progress stays as it is. Entitlement starts uncontended (the next DRS pass divides contention), the
 * overhead on that host included; what it uses follows from its host's division (vms/vm-usage.ts).
 */
export function runningStatus(
  base: StoredVmStatus,
  spec: VmSpec,
  f: Footprint,
  resolution: Resolution,
  reason: string,
  cost: GuestCost,
  cpuDemandMhz: number,
): StoredVmStatus {
  const alone = uncontended(claimsOnHost(guestClaims(spec, cpuDemandMhz), cost));
  return {
    ...base,
    currentHost: f.host,
    powerState: "on",
    virtualization: resolution.mode,
    virtualizationReason: reason,
    paging: resolution.paging,
    overheadMemoryMb: cost.overheadMemoryMb,
    overheadCpuPercent: cost.overheadCpuPercent,
    overheadCpuReservedMhz: f.cpuOverheadReservedMhz,
    cpuDemandMhz,
    cpuEntitlementMhz: alone.cpuEntitlementMhz,
    memoryEntitlementMb: alone.memoryEntitlementMb,
  };
}

/**
 * Powered off: nothing runs, nothing is charged, and no HA restart is owed; the last overhead figures
 * stay for reference (HA admission control holds them for a VM awaiting a restart). VM Monitoring's
 * record goes: its reset count clears on power off (vSphere Availability 6.7, "VM and Application Monitoring").
 */
export function stoppedStatus(base: StoredVmStatus): StoredVmStatus {
  const { guestHealth: _cleared, ...rest } = base;
  return { ...rest, ...NOT_RUNNING };
}

/** The ISO in the CD drive follows the spec at once: mounting is an in-place change. */
export function withCdrom(status: StoredVmStatus, spec: VmSpec): StoredVmStatus {
  return { ...status, cdrom: spec.cdrom ?? null };
}
