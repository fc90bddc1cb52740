/** `npm run bench`: prints every benchmark's figures and its baseline ratios. */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { benchApplyLatency } from "./apply-latency";
import { benchCliStartup } from "./cli-startup";
import { benchConsole } from "./console";
import { benchContainers } from "./containers";
import { benchDrs, benchDrsScores } from "./drs";
import { benchDrsQuality } from "./drs-quality";
import { benchHaFailover } from "./ha-failover";
import { benchMigration } from "./migration";
import { benchPlacement } from "./placement";
import { benchPlanning } from "./planning";
import { benchMemoryOverTime, benchSimulatedDay } from "./simulated-day";
import { benchServer } from "./server";

async function main(): Promise<void> {
  const only = process.argv[2];
  console.log(
    `# Polyvisor benchmarks — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} x${cpus().length}`,
  );
  if (!only || only === "placement") benchPlacement();
  if (!only || only === "apply") await benchApplyLatency();
  if (!only || only === "drs") benchDrs();
  if (only === "drs-scores") benchDrsScores();
  if (!only || only === "drs-quality") await benchDrsQuality();
  if (!only || only === "ha") benchHaFailover();
  if (!only || only === "migration") benchMigration();
  if (!only || only === "containers") await benchContainers();
  if (!only || only === "planning") benchPlanning();
  if (!only || only === "day") await benchSimulatedDay();
  // Resident memory is the process's: in the full run the memory bench gets a process of its own.
  if (only === "memory") await benchMemoryOverTime();
  else if (!only) spawnSync(process.execPath, [__filename, "memory"], { stdio: "inherit" });
  if (!only || only === "cli") await benchCliStartup();
  if (!only || only === "console") await benchConsole();
  if (!only || only === "server") await benchServer();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
