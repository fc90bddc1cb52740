/**
 * The shapes placement plugins work with: the request, what a host is worked out to cost the guest,
 * a plugin's verdict, the plugin and the profile. Apart from framework.ts so that the plugins and the
 * host table (which the framework uses) depend on these and not on the framework.
 */
import type { VmSpec } from "../../../schema/virtual-machine";
import type { GuestCpu } from "../cpu/evc";
import type { Resolution } from "../guests/guest-compatibility";
import type { ErrorCode } from "../kernel/errors";
import type { HostRecord } from "../kernel/model";
import type { RuleConstraints } from "../rules/constraints";

/**
 * Why a VM is being placed: an HA restart may use failover hosts, and a VM already running on one
 * may stay there through a reconfiguration; nothing else may.
 */
export type PlacementPurpose = "powerOn" | "migration" | "restart" | "reconfigure";

export interface PlacementRequest {
  vm: string;
  purpose: PlacementPurpose;
  spec: VmSpec;
  /** The guest's reservations; each host adds its own overhead (placement/guest-on-host.ts). */
  cpuReservationMhz: number;
  memoryReservationMb: number;
  /** What the guest is entitled to without contention (reservation, or demand within the limit), before overhead: what DRS balances. */
  cpuEntitlementMhz: number;
  memoryEntitlementMb: number;
  /** Where DRS rules want the VM, given where the other VMs run (NO_RULES when none names it). */
  rules: RuleConstraints;
  /** The host the VM is pinned to, if any. */
  pinnedHost: string | undefined;
  /** A live migration: the CPU the running guest sees, which the target must offer (cpu/evc.ts). */
  guestCpu?: GuestCpu;
  /** A small integer standing for the guest fields the resolution and the CPU overhead depend on, for memoizing. */
  guestId: number;
  /** What the plugins worked out for the host under evaluation, kept so each host is worked out once (guest-on-host.ts). */
  onHost: GuestOnHost;
}

/** The guest on one host: how it would run (null: it cannot) and what it would reserve and be entitled to there, overhead included. */
export interface GuestOnHost {
  host: HostRecord | null;
  resolution: Resolution | null;
  /** Resolved, and within the product's per-guest memory limit. */
  compatible: boolean;
  /** The host's CPU overhead percentage and memory overhead for the guest, from which the figures below follow. */
  cpuOverheadPercent: number;
  memoryOverheadMb: number;
  cpuNeedMhz: number;
  memoryNeedMb: number;
  cpuEntitlementMhz: number;
  memoryEntitlementMb: number;
}

/** Why a host cannot take the VM. */
export interface Verdict {
  plugin: string;
  code: ErrorCode;
  reason: string;
}

export interface PlacementPlugin {
  readonly name: string;
  /**
   * False when the plugin can neither reject nor rank any host for this request (no pin, no rule, no
   * disk...): place() then leaves it out of the loop over hosts. Absent: it always applies.
   */
  appliesTo?(req: PlacementRequest): boolean;
  filter?(req: PlacementRequest, host: HostRecord): Omit<Verdict, "plugin"> | undefined;
  /** Higher is better, 0..100. */
  score?(req: PlacementRequest, host: HostRecord): number;
}

export interface PlacementProfile {
  readonly plugins: readonly { plugin: PlacementPlugin; weight: number }[];
}
