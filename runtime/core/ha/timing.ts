/**
 * How long HA takes, on the simulated clock. The detection and isolation delays are those of
 * vSphere HA (vSphere Availability guide, "Host Failure Types" and "Host Isolation"); the guest boot
 * and shutdown times are a model with no published source: the order of magnitude of a cold boot,
 * per guest OS, plus time that grows with memory.
 */
import type { GuestOs, VmSpec } from "../../../schema/virtual-machine";

/** A host that misses network and datastore heartbeats for this long is declared failed. */
export const FAILURE_DETECTION_SECONDS = 15;

/** An isolated host declares itself isolated after this long: sooner when it is the primary (master). */
export const ISOLATION_DECLARED_AFTER_SECONDS = { primary: 5, secondary: 30 } as const;

/** The isolation response starts this long after the host declared itself isolated. */
export const ISOLATION_RESPONSE_DELAY_SECONDS = 30;

/** A guest shutdown by the isolation response (vSphere waits up to 300 s before powering off). */
export const GUEST_SHUTDOWN_SECONDS = 60;

const BOOT_SECONDS: Record<GuestOs, number> = { linux: 30, freebsd: 30, netbsd: 30, solaris: 45, netware: 40, windows: 60 };

/** Seconds from an HA power-on until the guest is up: the next priority tier waits for it. */
export function bootSeconds(spec: VmSpec): number {
  return BOOT_SECONDS[spec.guestOs] + 2 * Math.ceil(spec.memoryMb / 4096);
}

/**
 * How long lower restart priorities wait for a higher one's VM to be up before they start anyway:
 * vSphere's restartPriorityTimeout ("VM restart priority condition timeout"), 600 s by default (vSphere
 * API 6.5, ClusterDasVmSettings.restartPriorityTimeout; terraform-provider-vsphere r/compute_cluster,
 * ha_vm_restart_timeout). A VM's `haRestartTimeoutSeconds` overrides it.
 */
export const RESTART_PRIORITY_TIMEOUT_SECONDS = 600;

/** When lower priorities stop waiting for a VM HA restarts now whose guest is up at `readyAt`. */
export function blocksUntil(spec: VmSpec, now: number, readyAt: number): number {
  return Math.min(readyAt, now + (spec.haRestartTimeoutSeconds ?? RESTART_PRIORITY_TIMEOUT_SECONDS));
}
