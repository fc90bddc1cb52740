/**
 * `polyvisor sim advance DURATION`: moves the simulated clock in slices, each one transaction, so
 * a long advance shows progress and Ctrl-C stops it between two slices: the state is then exactly
 * as if the shorter advance had been asked for. Timers fire at their own times, so slicing changes
 * nothing about what happens.
 */
import type { Runtime } from "../../runtime";
import { type Cli, examples } from "../context";
import { formatSeconds, parseDuration } from "../format";
import { eventsDuring, renderEvents } from "./events";

/** Wall-clock time one slice aims at: short enough for Ctrl-C and progress to feel immediate. */
const SLICE_TARGET_MS = 200;
const FIRST_SLICE_SECONDS = 3_600;
/** Plain progress lines (stdout not a terminal) at most this often. */
const PROGRESS_LINE_MS = 2_000;
const BAR_WIDTH = 30;

export interface AdvanceOutcome {
  requestedSeconds: number;
  advancedSeconds: number;
  interrupted: boolean;
}

/** Shows progress on stderr: a bar redrawn in place on a terminal, a line every few seconds otherwise. */
function progressReporter(total: number): { update(done: number): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let lastLine = started;
  let drawn = false;
  return {
    update(done) {
      const now = Date.now();
      if (now - started < 500) return;
      const share = done / total;
      if (tty) {
        const filled = Math.round(share * BAR_WIDTH);
        process.stderr.write(
          `\r[${"#".repeat(filled)}${" ".repeat(BAR_WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${formatSeconds(done)} of ${formatSeconds(total)}`,
        );
        drawn = true;
      } else if (now - lastLine >= PROGRESS_LINE_MS) {
        process.stderr.write(`advanced ${formatSeconds(done)} of ${formatSeconds(total)} (${(share * 100).toFixed(0)}%)\n`);
        lastLine = now;
      }
    },
    end() {
      if (drawn) process.stderr.write("\n");
    },
  };
}

/** Advances by `total` seconds in slices sized to SLICE_TARGET_MS, stopping early on SIGINT. */
export async function advanceInSlices(rt: Runtime, total: number): Promise<AdvanceOutcome> {
  let interrupted = false;
  const stop = () => (interrupted = true);
  process.on("SIGINT", stop);
  const progress = progressReporter(total);
  let done = 0;
  let slice = FIRST_SLICE_SECONDS;
  try {
    while (done < total && !interrupted) {
      const step = Math.min(slice, total - done);
      const started = Date.now();
      await rt.advance(step);
      done += step;
      const tookMs = Math.max(1, Date.now() - started);
      slice = Math.max(1, Math.round(Math.min(slice * 4, (slice * SLICE_TARGET_MS) / tookMs)));
      progress.update(done);
      // A turn of the event loop, so that a pending Ctrl-C is seen before the next slice.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    progress.end();
    process.off("SIGINT", stop);
  }
  return { requestedSeconds: total, advancedSeconds: done, interrupted: interrupted && done < total };
}

export function registerSim(cli: Cli): void {
  const sim = cli.program.command("sim").description("simulated time");
  examples(
    sim
      .command("advance <duration>")
      .description("move the simulated clock: 90s, 15m, 2h, 1h30m, 1d, 1w (at most 366 days a call); Ctrl-C stops at a consistent point")
      // "-5m" must reach parseDuration (and be refused as negative), not be taken for an option.
      .allowUnknownOption(),
    "polyvisor sim advance 15m",
    "polyvisor sim advance 1d",
  ).action((duration: string) =>
    cli.withRuntime(async (rt) => {
      const seconds = parseDuration(duration);
      let outcome: AdvanceOutcome | undefined;
      const events = await eventsDuring(rt, async () => (outcome = await advanceInSlices(rt, seconds)));
      const timeSeconds = await rt.now();
      cli.emit({ timeSeconds, ...outcome!, events }, (r) => {
        const stopped = r.interrupted
          ? `Interrupted after ${formatSeconds(r.advancedSeconds)} of ${formatSeconds(r.requestedSeconds)}. `
          : "";
        return `${stopped}Simulated time is now ${formatSeconds(r.timeSeconds)}\n${renderEvents(r.events)}`;
      });
    }),
  );
}
