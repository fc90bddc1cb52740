/**
 * `polyvisor plan consolidate INVENTORY`: how few hosts (of a model, or existing ones from a hosts
 * file, then of the model) carry the inventory's servers as VMs and survive N host failures; prints
 * the plan, its JSON, or writes it as a Pulumi project.
 */
import type { Command } from "commander";
import type { ConsolidateFlags } from "./plan-consolidate";

export function registerPlanCommand(program: Command, print: (line: string) => void): void {
  const plan = program.command("plan").description("capacity planning");
  plan
    .command("consolidate <inventory>")
    .description("how few hosts carry these physical servers as VMs (CSV or JSON inventory), surviving N host failures")
    .option("--host-cores <n>", "cores per planned host")
    .option("--host-mhz <n>", "MHz per core of a planned host")
    .option("--host-memory-mb <n>", "memory of a planned host in MB")
    .option("--hypervisor <h>", "hypervisor of the planned hosts", "esx")
    .option("--hypervisor-version <v>", "its release (default: the hypervisor's first)")
    .option("--host-vendor <v>", "CPU vendor of the planned hosts: intel or amd", "intel")
    .option("--host-features <list>", "CPU features of the planned hosts, comma-separated (default: vmx,ept,lm; svm,npt,lm for amd)")
    .option(
      "--hosts <file>",
      "existing hosts to plan onto first (CSV name,cores,mhz,memoryMb,hypervisor[,hypervisorVersion,vendor,features], or JSON); the host model flags then add hosts of that model",
    )
    .option("--ha-failures <n>", "host failures the plan survives", "0")
    .option("--ha-policy <policy>", "HA admission control: resourcePercentage, slotPolicy or failoverHosts", "resourcePercentage")
    .option("--headroom <percent>", "share of each host's CPU and memory left free", "0")
    .option("--samples <file>", "utilization over time (CSV name,time,cpuPercent,memoryPercent): packed by peak-aligned demand")
    .option("--percentile <p>", "with --samples: size each server at this percentile of its samples instead")
    .option("--program <dir>", "write the plan as a Pulumi TypeScript project into this folder")
    .action(async (file: string, o: ConsolidateFlags) => {
      const { consolidate } = await import("./plan-consolidate");
      consolidate(file, o, program.opts<{ json?: boolean }>().json === true, print);
    });
}
