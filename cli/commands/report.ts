/**
 * `polyvisor report [--from T] [--to T] --out report.html`: one self-contained HTML file (styles,
 * chart code and data inlined; it opens offline) with utilization over time per host, DRS imbalance,
 * migrations, the incident timeline (failures, restarts, admission refusals), alarms and a capacity
 * summary. The chart code is the console's bundle (dist/console/report.js).
 */
import type { Cli } from "../context";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AlarmObject, ClusterObject, HostObject, Runtime, RuntimeEvent } from "../../runtime";
import { UsageError, formatSeconds, parseDuration } from "../format";
import { packageRoot } from "../version";

const MIGRATION_REASONS = new Set(["DrsMigrated", "MigrationStarted", "Migrated", "MigrationAborted", "DrsRecommended"]);
const INCIDENT_REASONS = new Set([
  "HostFailed",
  "HostIsolated",
  "HaIsolationDeclared",
  "HaIsolationResponse",
  "HostRecovered",
  "HaRestarted",
  "HaRestartPending",
  "HaRestartCancelled",
  "HaFailoverCompleted",
  "AdmissionRefused",
  "MaintenanceEntered",
  "MaintenanceExited",
  "VmMonitoringReset",
]);
const ALARM_REASONS = new Set(["AlarmRaised", "AlarmCleared"]);
const TONE: Record<string, string> = {
  HostFailed: "bad",
  HostIsolated: "bad",
  AdmissionRefused: "bad",
  AlarmRaised: "bad",
  HaRestartPending: "warn",
  HaRestarted: "ok",
  HostRecovered: "ok",
  AlarmCleared: "ok",
};
/** Rows per event table; the rest is summarized, so a long period still gives a readable file. */
const MAX_ROWS = 2000;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Inlined JSON and script text must not close their element. */
const inlineSafe = (s: string) => s.replace(/<\/(script|style)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");

export const simTime = (seconds: number) => `day ${Math.floor(seconds / 86400)}, ${formatSeconds(seconds % 86400).slice(0, 8)}`;

function eventTable(events: RuntimeEvent[], empty: string): string {
  if (events.length === 0) return `<p class="muted">${escapeHtml(empty)}</p>`;
  const shown = events.slice(0, MAX_ROWS);
  const rows = shown
    .map(
      (e) =>
        `<tr><td>${simTime(e.timeSeconds)}</td><td><span class="reason ${TONE[e.reason] ?? ""}">${escapeHtml(e.reason)}</span></td><td>${escapeHtml(`${e.kind} ${e.name}`)}</td><td>${escapeHtml(e.message)}</td></tr>`,
    )
    .join("\n");
  const more = events.length > shown.length ? `<p class="muted">${events.length - shown.length} more not shown.</p>` : "";
  return `<table><thead><tr><th>Time</th><th>Reason</th><th>Object</th><th>What happened</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

function capacityTable(clusters: ClusterObject[], hosts: HostObject[]): string {
  const rows = hosts
    .map((h) => {
      const s = h.status;
      const pct = (a: number, b: number) => (b > 0 ? `${Math.round((a / b) * 100)}%` : "—");
      return `<tr><td>${escapeHtml(h.name)}</td><td>${escapeHtml(h.spec.cluster ?? "standalone")}</td><td>${escapeHtml(h.spec.hypervisor)}</td><td>${escapeHtml(s.state)}</td><td class="num">${s.cpuCapacityMhz}</td><td class="num">${pct(s.cpuReservedMhz, s.cpuCapacityMhz)}</td><td class="num">${pct(s.cpuUsedMhz, s.cpuCapacityMhz)}</td><td class="num">${s.memoryCapacityMb}</td><td class="num">${pct(s.memoryReservedMb, s.memoryCapacityMb)}</td><td class="num">${pct(s.memoryUsedMb, s.memoryCapacityMb)}</td><td class="num">${s.vms.length + s.containers.length}</td></tr>`;
    })
    .join("\n");
  const clusterRows = clusters
    .map((c) => {
      const ha = c.status.ha;
      return `<tr><td>${escapeHtml(c.name)}</td><td class="num">${c.status.hosts.length}</td><td class="num">${c.status.cpuCapacityMhz}</td><td class="num">${c.status.cpuUnreservedMhz}</td><td class="num">${c.status.memoryCapacityMb}</td><td class="num">${c.status.memoryUnreservedMb}</td><td>${c.spec.ha.enabled ? `${escapeHtml(ha.policy)}: tolerates ${ha.currentFailoverCapacity} host failure(s) (asked ${ha.hostFailuresToTolerate})` : "HA off"}</td><td class="num">${c.status.drs.imbalance} / ${c.status.drs.targetImbalance}</td></tr>`;
    })
    .join("\n");
  return `<h3>Clusters</h3><table><thead><tr><th>Cluster</th><th>Hosts</th><th>CPU MHz</th><th>CPU unreserved</th><th>Memory MB</th><th>Memory unreserved</th><th>HA failover capacity</th><th>Imbalance / target</th></tr></thead><tbody>${clusterRows}</tbody></table>
<h3>Hosts</h3><table><thead><tr><th>Host</th><th>Cluster</th><th>Hypervisor</th><th>State</th><th>CPU MHz</th><th>CPU reserved</th><th>CPU used</th><th>Memory MB</th><th>Memory reserved</th><th>Memory used</th><th>Guests</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The directory holding the console bundle: dist/console in the package (this module may be bundled into dist/cli/main.js). */
function bundleDir(): string {
  return join(packageRoot() ?? resolve(__dirname, "..", ".."), "dist", "console");
}

function readBundle(file: string): string {
  try {
    return readFileSync(join(bundleDir(), file), "utf8");
  } catch {
    throw new Error(`the report's chart code ${join(bundleDir(), file)} is missing: run npm run build`);
  }
}

export interface ReportRange {
  fromSeconds?: number;
  toSeconds?: number;
}

export async function buildReport(rt: Runtime, range: ReportRange = {}): Promise<string> {
  const now = await rt.now();
  const from = range.fromSeconds ?? 0;
  const to = range.toSeconds ?? now;
  const inRange = (e: RuntimeEvent) => e.timeSeconds >= from && e.timeSeconds <= to;
  const events = (await rt.events()).filter(inRange);
  const clusters = (await rt.list("Cluster")) as ClusterObject[];
  const hosts = (await rt.list("Host")) as HostObject[];
  const alarms = (await rt.list("Alarm")) as AlarmObject[];
  const history = await rt.history({ fromSeconds: from, toSeconds: to });
  const capacity = Object.fromEntries(hosts.map((h) => [h.name, { cpuMhz: h.status.cpuCapacityMhz, memoryMb: h.status.memoryCapacityMb }]));
  const charts = history
    .map(
      (h) =>
        `<h3>${escapeHtml(h.cluster)}</h3>${["cpu", "memory", "imbalance"].map((k) => `<div data-chart="${k}:${escapeHtml(h.cluster)}"></div>`).join("")}`,
    )
    .join("\n");
  const alarmRows = alarms
    .map(
      (a) =>
        `<tr><td>${escapeHtml(a.name)}</td><td>${escapeHtml(`${a.spec.target.kind} ${a.spec.target.name}`)}</td><td>${escapeHtml(a.spec.metric)}</td><td>${a.spec.threshold}</td><td>${escapeHtml(a.status.state)}</td><td>${a.status.raisedCount}</td></tr>`,
    )
    .join("");
  const data = { history, capacity };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Polyvisor report, ${simTime(from)} to ${simTime(to)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${inlineSafe(readBundle("report.css"))}</style></head>
<body>
<header><h1>Polyvisor report</h1><p>Simulated time ${simTime(from)} to ${simTime(to)} · ${clusters.length} clusters · ${hosts.length} hosts · ${events.length} events</p></header>
<main>
<section id="capacity"><h2>Capacity summary (now)</h2>${capacityTable(clusters, hosts)}</section>
<section id="utilization"><h2>Utilization over time</h2>${charts || '<p class="muted">No DRS pass recorded in this period.</p>'}</section>
<section id="incidents"><h2>Incident timeline</h2>${eventTable(
    events.filter((e) => INCIDENT_REASONS.has(e.reason)),
    "No failures, restarts or refusals in this period.",
  )}</section>
<section id="migrations"><h2>Migrations</h2>${eventTable(
    events.filter((e) => MIGRATION_REASONS.has(e.reason)),
    "No migrations in this period.",
  )}</section>
<section id="alarms"><h2>Alarms</h2>${alarmRows ? `<table><thead><tr><th>Alarm</th><th>Target</th><th>Metric</th><th>Threshold</th><th>State now</th><th>Times raised</th></tr></thead><tbody>${alarmRows}</tbody></table>` : '<p class="muted">No alarms declared.</p>'}
${eventTable(
  events.filter((e) => ALARM_REASONS.has(e.reason)),
  "No alarm was raised or cleared in this period.",
)}</section>
</main>
<script type="application/json" id="report-data">${inlineSafe(JSON.stringify(data))}</script>
<script>${inlineSafe(readBundle("report.js"))}</script>
</body></html>
`;
}

function parseTime(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seconds = parseDuration(text);
  if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`${flag} takes a simulated time such as 2h or 1d6h, got "${text}"`);
  return seconds;
}

/** Writes the report and returns its absolute path. */
export async function writeReport(rt: Runtime, out: string, range: ReportRange = {}): Promise<string> {
  const path = resolve(out);
  writeFileSync(path, await buildReport(rt, range));
  return path;
}

export function registerReport(cli: Cli): void {
  cli.program
    .command("report")
    .description("write one self-contained HTML report: utilization, migrations, incidents, alarms, capacity")
    .requiredOption("--out <file>", "the HTML file to write")
    .option("--from <time>", "simulated time to start from, e.g. 0, 6h, 1d (default: the beginning)")
    .option("--to <time>", "simulated time to end at (default: now)")
    .action((o: { out: string; from?: string; to?: string }) => {
      const range = { fromSeconds: parseTime("--from", o.from), toSeconds: parseTime("--to", o.to) };
      if (range.fromSeconds !== undefined && range.toSeconds !== undefined && range.fromSeconds > range.toSeconds)
        throw new UsageError("--from must not be after --to");
      return cli.withRuntime(async (rt) => {
        process.stdout.write(`${await writeReport(rt, o.out, range)}\n`);
      });
    });
}
