/**
 * `polyvisor what-if`: runs steps on a copy of the state (runtime.whatIf) and prints what would
 * happen; `--fail-each-host` answers "does this cluster survive any single host failure?".
 */
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import type { HostObject, Runtime, WhatIfReport, WhatIfStep } from "../../runtime";
import { UsageError, formatSeconds, parseDuration, table } from "../format";

interface WhatIfFlags {
  steps?: string;
  failHost: string[];
  advance: string;
  failEachHost?: boolean;
}

const f4 = (n: number) => n.toFixed(4);

export function renderWhatIf(report: WhatIfReport): string {
  const out: string[] = [
    `What if (nothing is saved): simulated time ${formatSeconds(report.timeSecondsBefore)} -> ${formatSeconds(report.timeSecondsAfter)}`,
  ];
  for (const s of report.steps) if (!s.ok) out.push(`step ${s.step} (${s.type}) refused: ${s.error!.message.split("\n")[0]}`);
  if (report.restarts.length > 0)
    out.push(
      "",
      "HA restarts:",
      table(
        ["VM", "FROM", "TO"],
        report.restarts.map((r) => [r.vm, r.fromHost ?? "-", r.toHost ?? "-"]),
      ),
    );
  if (report.pendingRestarts.length > 0)
    out.push(
      "",
      "Pending restarts (no host can take them):",
      table(
        ["VM", "FROM", "WHY"],
        report.pendingRestarts.map((p) => [p.vm, p.fromHost, p.reason]),
      ),
    );
  if (report.admissionRefusals.length > 0)
    out.push("", "Admission control refused:", ...report.admissionRefusals.map((r) => `  ${r.name}: ${r.message.split("\n")[0]}`));
  if (report.drsMoves.length > 0)
    out.push(
      "",
      "DRS moves:",
      table(
        ["VM", "FROM", "TO"],
        report.drsMoves.map((m) => [m.vm, m.fromHost ?? "-", m.toHost ?? "-"]),
      ),
    );
  if (report.clusters.length > 0) {
    out.push(
      "",
      table(
        ["CLUSTER", "HOSTS", "IMBALANCE", "FAILOVER CAPACITY", "CPU FREE", "MEMORY FREE", "PENDING"],
        report.clusters.map((c) => [
          c.cluster,
          `${c.before.usableHosts} -> ${c.after.usableHosts}`,
          `${f4(c.before.imbalance)} -> ${f4(c.after.imbalance)}`,
          `${c.before.failoverCapacity} -> ${c.after.failoverCapacity} host(s)`,
          `${c.before.cpuFailoverPercent}% -> ${c.after.cpuFailoverPercent}%`,
          `${c.before.memoryFailoverPercent}% -> ${c.after.memoryFailoverPercent}%`,
          `${c.before.pendingRestarts} -> ${c.after.pendingRestarts}`,
        ]),
      ),
    );
  }
  return out.join("\n");
}

function readSteps(path: string): WhatIfStep[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read the steps file ${path}: ${(e as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
  try {
    return JSON.parse(text) as WhatIfStep[];
  } catch {
    throw new UsageError(`--steps: ${path} is not JSON (an array of steps)`);
  }
}

/** One line per host: what its failure alone would leave after `seconds`. */
async function failEachHost(rt: Runtime, seconds: number) {
  const hosts = ((await rt.list("Host")) as HostObject[]).filter((h) => h.status.state === "connected" && h.spec.cluster !== undefined);
  const rows = [];
  for (const host of hosts) {
    const report = await rt.whatIf([
      { type: "failHost", host: host.name },
      { type: "advance", seconds },
    ]);
    const down = report.events.filter((e) => e.reason === "Crashed" && e.kind === "VirtualMachine").length;
    rows.push({
      host: host.name,
      cluster: host.spec.cluster!,
      vmsDown: down,
      restarted: report.restarts.length,
      pending: report.pendingRestarts.length,
      survives: report.pendingRestarts.length === 0,
    });
  }
  return rows;
}

export function registerWhatIfCommand(program: Command, print: (line: string) => void): void {
  program
    .command("what-if")
    .description("run steps on a copy of the state and show what would happen (nothing is saved)")
    .option("--steps <file>", "JSON array of steps: failHost, recoverHost, addHost, removeHost, advance, apply, delete")
    .option("--fail-host <name>", "fail this host (repeatable)", (v: string, acc: string[]) => [...acc, v], [])
    .option("--advance <duration>", "simulated time after the failures, e.g. 5m", "5m")
    .option("--fail-each-host", "one line per host: does the cluster survive its failure alone?")
    .action(async (o: WhatIfFlags) => {
      const seconds = parseDuration(o.advance);
      const given = [o.steps !== undefined, o.failHost.length > 0, o.failEachHost === true].filter(Boolean).length;
      if (given !== 1) throw new UsageError("what-if takes one of --steps FILE, --fail-host NAME or --fail-each-host");
      const globals = program.opts<{ state?: string; url?: string; json?: boolean }>();
      const { openRuntime } = await import("../../runtime");
      const rt = await openRuntime({ path: globals.state, url: globals.url });
      try {
        if (o.failEachHost) {
          const rows = await failEachHost(rt, seconds);
          if (globals.json) return print(JSON.stringify(rows, null, 2));
          print(
            table(
              ["HOST", "CLUSTER", "VMS DOWN", "RESTARTED", "PENDING", "SURVIVES"],
              rows.map((r) => [r.host, r.cluster, r.vmsDown, r.restarted, r.pending, r.survives ? "yes" : "no"]),
            ),
          );
          return;
        }
        const steps: WhatIfStep[] =
          o.steps !== undefined
            ? readSteps(o.steps)
            : [...o.failHost.map((host): WhatIfStep => ({ type: "failHost", host })), { type: "advance", seconds }];
        const report = await rt.whatIf(steps);
        print(globals.json ? JSON.stringify(report, null, 2) : renderWhatIf(report));
      } finally {
        await rt.close();
      }
    });
}
