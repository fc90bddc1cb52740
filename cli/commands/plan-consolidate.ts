/**
 * What `polyvisor plan consolidate` runs, loaded only by that command: the planner and the
 * validation of its flags.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { PolyvisorError } from "../../runtime/api";
import { CpuFeature } from "../../schema/host";
import {
  type HaPolicy,
  HostModelFields,
  type Plan,
  defaultFeatures,
  parseHosts,
  parseInventory,
  parseSamples,
  planConsolidation,
  programFiles,
  samplesByServer,
} from "../../runtime/planning";
import { UsageError, table } from "../format";

export interface ConsolidateFlags {
  hostCores?: string;
  hostMhz?: string;
  hostMemoryMb?: string;
  hypervisor: string;
  hypervisorVersion?: string;
  hostVendor: string;
  hostFeatures?: string;
  hosts?: string;
  haFailures: string;
  haPolicy: string;
  headroom: string;
  samples?: string;
  percentile?: string;
  program?: string;
}

const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const Flags = z.object({
  hostCores: z.coerce.number().pipe(HostModelFields.cores).optional(),
  hostMhz: z.coerce.number().pipe(HostModelFields.mhz).optional(),
  hostMemoryMb: z.coerce.number().pipe(HostModelFields.memoryMb).optional(),
  hypervisor: HostModelFields.hypervisor,
  hypervisorVersion: HostModelFields.hypervisorVersion,
  hostVendor: HostModelFields.vendor,
  hostFeatures: z.array(CpuFeature).optional(),
  haFailures: whole(0, 64),
  haPolicy: z.enum(["resourcePercentage", "slotPolicy", "failoverHosts"]),
  headroom: z.coerce.number().min(0).max(90),
  percentile: z.coerce.number().min(1).max(100).optional(),
});

const FLAG_NAMES: Record<string, string> = {
  hostCores: "--host-cores",
  hostMhz: "--host-mhz",
  hostMemoryMb: "--host-memory-mb",
  hypervisor: "--hypervisor",
  hypervisorVersion: "--hypervisor-version",
  hostVendor: "--host-vendor",
  hostFeatures: "--host-features",
  haFailures: "--ha-failures",
  haPolicy: "--ha-policy",
  headroom: "--headroom",
  percentile: "--percentile",
};

/** The flags; the host model is optional with --hosts (then it is the model of the hosts to add, if any). */
function parseFlags(o: ConsolidateFlags): z.infer<typeof Flags> {
  const modelFlags = ["hostCores", "hostMhz", "hostMemoryMb"] as const;
  const missing = modelFlags.filter((k) => o[k] === undefined).map((k) => FLAG_NAMES[k]);
  if (missing.length > 0 && !(o.hosts !== undefined && missing.length === modelFlags.length))
    throw new UsageError(`the host model needs ${missing.join(", ")}${missing.length === modelFlags.length ? " (or --hosts FILE)" : ""}`);
  const parsed = Flags.safeParse({
    ...o,
    hostFeatures: o.hostFeatures
      ?.split(",")
      .map((f) => f.trim())
      .filter((f) => f !== ""),
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const flag = FLAG_NAMES[String(issue.path[0])] ?? String(issue.path[0]);
  throw new UsageError(`${flag}: ${issue.message}`);
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
}

const percent = (used: number, capacity: number) => (capacity > 0 ? `${((used * 100) / capacity).toFixed(1)}%` : "-");

export function renderPlan(plan: Plan, haFailures: number): string {
  const loaded = plan.hosts - plan.spareHosts.length;
  const gap = plan.lowerBound > 0 ? (((plan.hosts - plan.lowerBound) * 100) / plan.lowerBound).toFixed(1) : "0.0";
  const spare = haFailures > 0 ? ` + ${plan.spareHosts.length} spare for ${haFailures} host failure(s)` : "";
  const left = [
    ...(plan.unplaced.length > 0 ? [`Do not fit the hosts (${plan.unplaced.length}): ${plan.unplaced.join(", ")}`] : []),
    ...(plan.unusedHosts.length > 0 ? [`Not needed: ${plan.unusedHosts.join(", ")}`] : []),
  ];
  const heuristics = Object.entries(plan.byHeuristic)
    .map(([name, bins]) => `${name} ${bins}`)
    .join(", ");
  return [
    `${plan.placements.length} servers on ${plan.hosts} hosts (${loaded} loaded${spare}); lower bound ${plan.lowerBound}, gap ${gap}%${plan.optimal ? " (optimal)" : ""}`,
    `Packing: ${plan.heuristic} (hosts by heuristic: ${heuristics})`,
    ...left,
    "",
    table(
      ["HOST", "VMS", "CPU MHZ", "CPU", "MEMORY MB", "MEMORY"],
      plan.hostUsage.map((h) => [
        h.host,
        h.vms,
        h.cpuMhz,
        percent(h.cpuMhz, h.cpuCapacityMhz),
        h.memoryMb,
        percent(h.memoryMb, h.memoryCapacityMb),
      ]),
    ),
    "",
    table(
      ["SERVER", "HOST", "VCPUS", "MEMORY MB", "CPU MHZ"],
      plan.placements.map((p) => [p.server, p.host, p.vcpus, p.memoryMb, p.cpuMhz]),
    ),
  ].join("\n");
}

/** Writes the Pulumi project into an absent or empty folder; refuses to overwrite anything. */
function writeProgram(dir: string, plan: Plan): string[] {
  const path = resolve(dir);
  if (existsSync(path) && readdirSync(path).length > 0) throw new UsageError(`--program: ${path} exists and is not empty`);
  const version = (require("polyvisor/package.json") as { version: string }).version;
  const files = programFiles(plan, "consolidation", `^${version}`);
  mkdirSync(path, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(path, name), text);
  return Object.keys(files).map((name) => join(path, name));
}

/** Plans the inventory in `file` and prints the plan (as JSON under --json), writing the program if asked. */
export function consolidate(file: string, o: ConsolidateFlags, json: boolean, print: (line: string) => void): void {
  const flags = parseFlags(o);
  if (flags.percentile !== undefined && o.samples === undefined) throw new UsageError("--percentile needs --samples");
  const servers = parseInventory(readText(file, "inventory"), file);
  const samples =
    o.samples === undefined
      ? undefined
      : samplesByServer(servers, parseSamples(readText(o.samples, "samples file"), o.samples), o.samples).byServer;
  const hosts = o.hosts === undefined ? undefined : parseHosts(readText(o.hosts, "hosts file"), o.hosts);
  const model =
    flags.hostCores === undefined || flags.hostMhz === undefined || flags.hostMemoryMb === undefined
      ? undefined
      : {
          cores: flags.hostCores,
          mhz: flags.hostMhz,
          memoryMb: flags.hostMemoryMb,
          hypervisor: flags.hypervisor,
          hypervisorVersion: flags.hypervisorVersion,
          vendor: flags.hostVendor,
          features: flags.hostFeatures ?? defaultFeatures(flags.hostVendor),
        };
  const result = planConsolidation(servers, {
    host: model,
    hosts,
    haFailures: flags.haFailures,
    haPolicy: flags.haPolicy as HaPolicy,
    headroomPercent: flags.headroom,
    samples,
    percentile: flags.percentile,
  });
  // A plan that leaves servers out is printed but not written as a program.
  const written = o.program === undefined || result.unplaced.length > 0 ? [] : writeProgram(o.program, result);
  if (json) {
    const { lowerBound, placements, hostUsage, spareHosts, unplaced, unusedHosts } = result;
    print(JSON.stringify({ hosts: result.hosts, lowerBound, placements, hostUsage, spareHosts, unplaced, unusedHosts }, null, 2));
  } else {
    print(renderPlan(result, flags.haFailures));
    if (written.length > 0)
      print(`\nPulumi project written: ${written.join(", ")}\nthen: cd ${resolve(o.program!)} && npm install && pulumi up`);
  }
  if (result.unplaced.length > 0) {
    throw new PolyvisorError(
      "InsufficientCapacity",
      { kind: "Server", name: result.unplaced[0] },
      `${result.unplaced.length} server(s) do not fit the hosts in ${o.hosts}; ${
        model
          ? "they need more than a host of the model offers"
          : "the host model flags (--host-cores, --host-mhz, --host-memory-mb) add hosts of a model"
      }${o.program === undefined ? "" : "; no program written"}`,
    );
  }
}
