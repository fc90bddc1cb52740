/**
 * The pre-copy live migration model of Xen (Clark et al., "Live Migration of Virtual Machines",
 * NSDI 2005; tools/libxc/xc_linux_save.c), which vMotion also follows. Round 1 sends all memory while
 * the VM runs; each later round re-sends the pages dirtied during the previous one; then the VM is
 * paused and the rest is sent (stop-and-copy): that pause plus the restart is the downtime.
 *
 * Rate control (Clark, section 5.1): the first round runs at the minimum rate (100 Mbit/s); each later
 * one at the dirtying rate observed in the previous round plus 50 Mbit/s, capped at the maximum (500)
 * and by the link. Stop-and-copy runs at the link's rate ("the maximum allowable rate"; the paper's
 * SPECweb99 run sent its last 18.2 MB in 201 ms, faster than the 500 Mbit/s cap).
 * Stop conditions (xc_linux_save.c): 29 iterations; more than 3x the VM's memory sent; the rate at its
 * cap with the dirty set growing; and, as the paper words it, fewer than 50 pages left to send (xc
 * tests the pages just sent, which would add an empty round for an idle VM).
 *
 * A fluid model of the dirtying: the VM writes `dirtyRateMbps` at random over its writable working set
 * W (Clark, section 4: the pages it keeps writing), so in t seconds it dirties W(1 - e^(-rate*t/W))
 * distinct pages: as fast as it writes while few pages are dirty, never more than W. A small, fast-
 * written W is why a busy server converges to a residue that only stop-and-copy can send.
 * Not modelled: xc's skipping of pages dirtied again within a round. Pure: DRS prices moves with it.
 */
import { MigrationSettings } from "../../../schema/cluster";
import type { PreCopyStop } from "../../../schema/virtual-machine";

export const PAGE_KIB = 4;

/** The cluster's migration settings: the link and the pre-copy parameters (schema/cluster.ts). */
export type PreCopyParams = MigrationSettings;

/** Xen's defaults on a gigabit link: the schema's defaults. */
export const XEN_DEFAULTS: PreCopyParams = MigrationSettings.parse({});

export interface PreCopyInput {
  memoryMb: number;
  dirtyRateMbps: number;
  /** The pages the VM keeps writing (at most its memory): one round can dirty no more. */
  writableWorkingSetMb: number;
}

export interface PreCopyRound {
  rateMbps: number;
  sentMb: number;
  seconds: number;
  dirtiedMb: number;
}

export interface PreCopyResult {
  /** Pre-copy rounds, not counting the stop-and-copy. */
  rounds: number;
  transferredMb: number;
  totalSeconds: number;
  downtimeMs: number;
  /** Sent while the VM was paused. */
  finalMb: number;
  stopReason: PreCopyStop;
}

/** Distinct MB dirtied in `seconds` by random writes at `rateMbps` over a working set of `workingSetMb`. */
export function dirtiedIn(seconds: number, rateMbps: number, workingSetMb: number): number {
  if (workingSetMb <= 0) return 0;
  return workingSetMb * -Math.expm1(-(rateMbps * seconds) / 8 / workingSetMb);
}

export interface PreCopyOptions {
  /** Sees each pre-copy round, for explanations and tests. */
  onRound?: (round: PreCopyRound) => void;
  /** MB dirtied in a round of `seconds`; default: the fluid dirtiedIn. The benchmark plugs a page-level tracker in. */
  dirtied?: (seconds: number) => number;
}

/** Runs the model. */
export function simulatePreCopy(input: PreCopyInput, params: PreCopyParams, options: PreCopyOptions = {}): PreCopyResult {
  const linkRate = params.bandwidthMbps;
  const capRate = Math.min(params.maxRateMbps, linkRate);
  const workingSet = Math.min(input.writableWorkingSetMb, input.memoryMb);
  const stopMb = (params.stopPages * PAGE_KIB) / 1024;
  let rate = Math.min(params.firstRoundMbps, linkRate);
  let toSend = input.memoryMb;
  let transferred = 0;
  let elapsed = 0;
  let rounds = 0;
  for (;;) {
    const seconds = (toSend * 8) / rate;
    const dirtied = options.dirtied ? options.dirtied(seconds) : dirtiedIn(seconds, input.dirtyRateMbps, workingSet);
    rounds++;
    transferred += toSend;
    elapsed += seconds;
    options.onRound?.({ rateMbps: rate, sentMb: toSend, seconds, dirtiedMb: dirtied });
    const stop =
      dirtied < stopMb || dirtied === 0
        ? "converged"
        : rounds >= params.maxIterations
          ? "maxIterations"
          : transferred > params.maxFactor * input.memoryMb
            ? "sentMaxFactor"
            : rate >= capRate && dirtied > toSend
              ? "dirtyRateAtCap"
              : undefined;
    if (stop !== undefined) {
      const downtimeMs = ((dirtied * 8) / linkRate) * 1000 + params.resumeMs;
      return {
        rounds,
        transferredMb: transferred + dirtied,
        totalSeconds: elapsed + downtimeMs / 1000,
        downtimeMs,
        finalMb: dirtied,
        stopReason: stop,
      };
    }
    const observedMbps = seconds > 0 ? (dirtied * 8) / seconds : 0;
    rate = Math.min(capRate, observedMbps + params.rateIncrementMbps);
    toSend = dirtied;
  }
}
