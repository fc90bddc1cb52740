/** `polyvisor drs CLUSTER`: what the last DRS pass saw and did, or a pass run now. */
import type { ClusterObject } from "../../runtime";
import { PolyvisorError } from "../../runtime/api";
import { type Cli, examples } from "../context";
import type { DrsMove } from "../../schema/cluster";
import { formatSeconds, table } from "../format";

function moveTable(moves: DrsMove[]): string {
  return table(
    ["VM", "FROM", "TO", "PRIORITY", "REASON"],
    moves.map((m) => [m.vm, m.fromHost, m.toHost, m.priority, m.reason]),
  );
}

export function renderDrs(cluster: ClusterObject): string {
  const { drs } = cluster.status;
  const settings = cluster.spec.drs;
  const out = [
    `Cluster ${cluster.name}: DRS ${settings.enabled ? settings.automationLevel : "disabled"}, migration threshold ${settings.migrationThreshold}, a pass every ${settings.intervalSeconds} s${settings.dpm.enabled ? ", DPM on" : ""}`,
  ];
  if (drs.lastPassSeconds === null) {
    out.push(drs.summary);
    return out.join("\n");
  }
  const f = (n: number) => n.toFixed(4);
  out.push(`Last pass at ${formatSeconds(drs.lastPassSeconds)}`);
  out.push(
    drs.recommendations.length > 0
      ? `Imbalance ${f(drs.imbalance)} now, ${f(drs.projectedImbalance)} once the recommendations are applied (target ${f(drs.targetImbalance)})`
      : `Imbalance before ${f(drs.imbalanceBefore)}, after ${f(drs.imbalance)} (target ${f(drs.targetImbalance)}; cpu ${f(drs.cpuImbalance)}, memory ${f(drs.memoryImbalance)})`,
  );
  if (drs.vmScoreBefore !== undefined && drs.vmScore !== undefined) {
    const after =
      drs.recommendations.length > 0
        ? `${drs.vmScore.toFixed(1)} now, ${drs.projectedVmScore?.toFixed(1)} once applied`
        : `after ${drs.vmScore.toFixed(1)}`;
    out.push(`Mean VM DRS score (as DRS models it) before ${drs.vmScoreBefore.toFixed(1)}, ${after} (balance by ${settings.balanceBy})`);
  }
  out.push(drs.summary);
  if (drs.moves.length > 0)
    out.push("", "Moves applied (live migrations, landing as the clock moves: polyvisor sim advance):", moveTable(drs.moves));
  if (drs.recommendations.length > 0) out.push("", "Recommendations (not applied):", moveTable(drs.recommendations));
  if (drs.unresolved.length > 0) out.push("", "Rule violations left:", ...drs.unresolved.map((u) => `  ${u}`));
  return out.join("\n");
}

export function registerDrs(cli: Cli): void {
  examples(
    cli.program
      .command("drs <cluster>")
      .description("the last DRS pass of a cluster: imbalance before and after, moves and their reasons")
      .option("--now", "run a pass now (moves as the automation level says)")
      .option("--apply", "run a pass now and apply its moves, even in manual or partiallyAutomated"),
    "polyvisor drs prod",
    "polyvisor drs prod --apply",
  ).action((cluster: string, o: { now?: boolean; apply?: boolean }) =>
    cli.withRuntime(
      async (rt) => {
        const obj = o.now || o.apply ? await rt.runDrs(cluster, { apply: o.apply }) : await rt.get("Cluster", cluster);
        if (!obj) throw new PolyvisorError("NotFound", { kind: "Cluster", name: cluster }, `no Cluster named ${cluster} exists`);
        cli.emit((obj as ClusterObject).status.drs, () => renderDrs(obj as ClusterObject));
      },
      { create: o.now || o.apply ? undefined : false },
    ),
  );
}
