/**
 * Workload profiles: the CPU demand a VM's guest presents at a simulated time. Demand drives
 * entitlements (what DRS balances) and usage (what hosts report). Bursts draw from the world's
 * seeded random source, in VM-name order, so the same seed gives the same run.
 */
import type { VmWorkload } from "../../../schema/virtual-machine";
import type { SeededRandom } from "../kernel/random";

/** Profile parameters when the spec leaves them out (documented in schema/virtual-machine.ts). */
export const WORKLOAD_DEFAULTS = { amplitude: 0.5, peakHour: 14, burstProbability: 0.1, burstFactor: 3 } as const;

const DAY_SECONDS = 86_400;

/**
 * CPU demand in MHz at `timeSeconds`. `random` decides bursts; without it (a power-on between
 * samples) a bursty workload shows its base level.
 */
export function cpuDemandAt(workload: VmWorkload | undefined, timeSeconds: number, random?: SeededRandom): number {
  const base = workload?.cpuDemandMhz ?? 0;
  if (workload === undefined) return base;
  switch (workload.profile) {
    case "constant":
      return base;
    case "diurnal": {
      const amplitude = workload.amplitude ?? WORKLOAD_DEFAULTS.amplitude;
      const peak = (workload.peakHour ?? WORKLOAD_DEFAULTS.peakHour) * 3600;
      return Math.round(base * (1 + amplitude * Math.cos((2 * Math.PI * (timeSeconds - peak)) / DAY_SECONDS)));
    }
    case "bursty": {
      if (random === undefined) return base;
      const bursts = random.next() < (workload.burstProbability ?? WORKLOAD_DEFAULTS.burstProbability);
      return bursts ? Math.round(base * (workload.burstFactor ?? WORKLOAD_DEFAULTS.burstFactor)) : base;
    }
  }
}
