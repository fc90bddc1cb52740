/** DRS (imbalance over time against its target, the last pass) and HA (admission arithmetic, restarts). */
import type uPlot from "uplot";
import { act, actionButton } from "../actions";
import { api } from "../api";
import { lineChart } from "../charts";
import { h } from "../dom";
import { mb, mhz, simTime } from "../format";
import { canOperate, objects, state } from "../state";
import type { Obj } from "../types";
import { badge, card, empty, facts, table } from "./common";

/** Charts kept between renders and redrawn only when the history changes. */
const charts = new Map<string, { el: HTMLElement; plot: uPlot; version: number }>();

function cached(key: string, draw: (el: HTMLElement) => uPlot): HTMLElement {
  const hit = charts.get(key);
  if (hit && hit.version === state.historyVersion) return hit.el;
  hit?.plot.destroy();
  const el = h("div", { class: "chart-box" });
  // uPlot sizes to the element: draw once it is in the page.
  requestAnimationFrame(() => {
    const plot = draw(el);
    charts.set(key, { el, plot, version: state.historyVersion });
  });
  charts.set(key, { el, plot: { destroy() {} } as uPlot, version: -1 });
  return el;
}

function moveRows(moves: Record<string, any>[]): HTMLElement {
  return table(
    ["VM", "From", "To", "Priority", "Why"],
    moves.map((m) => [m.kind === "Container" ? `${m.vm} (container)` : m.vm, m.fromHost, m.toHost, String(m.priority), m.reason]),
  );
}

function drsCard(c: Obj): HTMLElement {
  const d = c.status.drs ?? {};
  const history = state.history.find((x) => x.cluster === c.name);
  const chart =
    history && history.times.length > 0
      ? cached(`drs:${c.name}`, (el) =>
          lineChart(el, {
            title: `Imbalance of ${c.name}`,
            times: history.times,
            unit: "std dev",
            series: [
              { label: "imbalance", values: history.imbalance },
              { label: "target", values: history.targetImbalance, color: "#8c8c8c", dash: true },
            ],
          }),
        )
      : empty("No DRS pass recorded yet.");
  return card(
    h(
      "div",
      { class: "card-title" },
      h("h2", {}, `DRS · ${c.name}`),
      badge(c.spec.drs?.enabled ? c.spec.drs.automationLevel : "disabled", "info"),
      h("span", { class: "muted" }, `threshold ${c.spec.drs?.migrationThreshold ?? "—"}`),
    ),
    chart,
    facts([
      ["Last pass", d.lastPassSeconds === null || d.lastPassSeconds === undefined ? "not yet" : simTime(d.lastPassSeconds)],
      ["Imbalance", `${d.imbalanceBefore} → ${d.imbalance} (target ${d.targetImbalance}; with recommendations ${d.projectedImbalance})`],
      ["CPU / memory", `${d.cpuImbalance} / ${d.memoryImbalance}`],
      [
        "Mean VM DRS score (modelled)",
        d.vmScoreBefore === undefined ? "—" : `${d.vmScoreBefore} → ${d.vmScore} (with recommendations ${d.projectedVmScore})`,
      ],
      ["Summary", d.summary],
    ]),
    h("h3", {}, "Moves of the last pass"),
    d.moves?.length ? moveRows(d.moves) : empty("none"),
    h("h3", {}, "Recommendations"),
    d.recommendations?.length ? moveRows(d.recommendations) : empty("none"),
    d.unresolved?.length ? h("ul", { class: "warn-list" }, ...d.unresolved.map((u: string) => h("li", {}, u))) : null,
    canOperate()
      ? h(
          "div",
          { class: "actions" },
          actionButton("Run DRS now", `Run DRS ${c.name}`, () => act(`DRS pass on ${c.name}`, () => api.runDrs(c.name, false))),
          actionButton(
            "Apply recommendations",
            `Apply recommendations ${c.name}`,
            () => act(`recommendations applied on ${c.name}`, () => api.runDrs(c.name, true)),
            {
              disabled: !d.recommendations?.length,
              tone: "primary",
            },
          ),
        )
      : null,
  );
}

export function drsView(): HTMLElement {
  const clusters = objects("Cluster");
  return h("div", { class: "stack" }, ...(clusters.length ? clusters.map(drsCard) : [card("DRS", empty("No clusters."))]));
}

function haCard(c: Obj): HTMLElement {
  const ha = c.status.ha ?? {};
  const vms = objects("VirtualMachine").filter((v) => v.status.cluster === c.name && v.status.haRestart);
  const order = ["highest", "high", "medium", "low", "lowest"];
  const priorityOf = (v: Obj) => v.spec.haRestartPriority ?? c.spec.ha?.restartPriority ?? "medium";
  vms.sort((a, b) => order.indexOf(priorityOf(a)) - order.indexOf(priorityOf(b)) || (a.name < b.name ? -1 : 1));
  const policy = ha.policy as string;
  const arithmetic: [string, unknown][] =
    policy === "slotPolicy"
      ? [
          ["Slot size", `${mhz(ha.slotCpuMhz)} CPU · ${mb(ha.slotMemoryMb)} memory`],
          [
            "Slots per host",
            Object.entries(ha.slotsPerHost ?? {})
              .map(([k, v]) => `${k}: ${v}`)
              .join(", "),
          ],
          ["Slots", `${ha.totalSlots} total, ${ha.usedSlots} used, ${ha.availableSlots} available`],
        ]
      : [
          ["CPU failover capacity", `${ha.cpuFailoverPercent}% free (keeps ${ha.configuredCpuFailoverPercent}%)`],
          ["Memory failover capacity", `${ha.memoryFailoverPercent}% free (keeps ${ha.configuredMemoryFailoverPercent}%)`],
        ];
  return card(
    h(
      "div",
      { class: "card-title" },
      h("h2", {}, `HA · ${c.name}`),
      badge(c.spec.ha?.enabled ? "enabled" : "disabled", c.spec.ha?.enabled ? "ok" : "muted"),
      h("span", { class: "muted" }, `policy ${policy}`),
    ),
    facts([
      ["Host failures to tolerate", ha.hostFailuresToTolerate],
      ["Current failover capacity", `${ha.currentFailoverCapacity} host(s)`],
      ...arithmetic,
      ["Restarts", `${ha.restartsInProgress} in progress, ${ha.pendingRestarts} pending`],
    ]),
    h("h3", {}, "Restarts by priority"),
    vms.length
      ? table(
          ["VM", "Priority", "State", "From", "Down since", "Why pending"],
          vms.map((v) => [
            v.name,
            priorityOf(v),
            badge(v.status.haRestart.state, "warn"),
            v.status.haRestart.fromHost,
            simTime(v.status.haRestart.downSinceSeconds),
            v.status.haRestart.pendingReason ?? "",
          ]),
        )
      : empty("No restarts in progress."),
  );
}

export function haView(): HTMLElement {
  const clusters = objects("Cluster");
  return h("div", { class: "stack" }, ...(clusters.length ? clusters.map(haCard) : [card("HA", empty("No clusters."))]));
}
