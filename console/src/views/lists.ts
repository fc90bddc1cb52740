/** Storage, alarms and the event log. */
import { h } from "../dom";
import { simTime } from "../format";
import { objects, state } from "../state";
import type { RuntimeEvent } from "../types";
import { ui, update } from "../ui";
import { badge, capacityBar, card, empty, table } from "./common";

const gb = (v: number) => `${Math.round(v)} GB`;

export function storageView(): HTMLElement {
  const stores = objects("Datastore");
  return card(
    "Datastores",
    stores.length === 0
      ? empty("No datastores.")
      : table(
          ["Name", "Type", "Space", "Free", "Hosts mounting it", "VMs"],
          stores.map((d) => [
            d.name,
            badge(`${d.spec.type}${d.status.shared ? " · shared" : ""}`, "info"),
            capacityBar("Used", d.status.usedGb, 0, d.spec.capacityGb, gb),
            gb(d.status.freeGb),
            (d.status.hosts ?? []).join(", "),
            String((d.status.vms ?? []).length),
          ]),
        ),
  );
}

/** The metrics raised below their threshold (capacities that run out); the others are raised above. */
const RAISED_BELOW = new Set(["haFailoverCapacity", "datastoreFreePercent"]);

export function alarmsView(): HTMLElement {
  const alarms = objects("Alarm");
  return card(
    "Alarms",
    alarms.length === 0
      ? empty("No alarms declared.")
      : table(
          ["Name", "Target", "Metric", "Raised when", "Severity", "State", "Value", "Since", "Times raised"],
          alarms.map((a) => [
            a.name,
            `${a.spec.target?.kind ?? ""} ${a.spec.target?.name ?? ""}`,
            a.spec.metric,
            `${RAISED_BELOW.has(a.spec.metric) ? "below" : "above"} ${a.spec.threshold}${a.spec.forSeconds ? ` for ${a.spec.forSeconds} s` : ""}`,
            a.spec.severity,
            badge(a.status.state ?? "unknown", a.status.state === "raised" ? (a.spec.severity === "warning" ? "warn" : "bad") : "ok"),
            a.status.value === null || a.status.value === undefined ? "—" : String(a.status.value),
            a.status.sinceSeconds === null || a.status.sinceSeconds === undefined ? "—" : simTime(a.status.sinceSeconds),
            String(a.status.raisedCount ?? 0),
          ]),
        ),
  );
}

const TONE: Record<string, string> = {
  HostFailed: "bad",
  HostIsolated: "bad",
  AdmissionRefused: "bad",
  AlarmRaised: "bad",
  HaRestartPending: "warn",
  MaintenanceEntered: "warn",
  HaRestarted: "ok",
  HostRecovered: "ok",
  AlarmCleared: "ok",
};

export function eventRows(events: RuntimeEvent[]): HTMLElement {
  return h(
    "ol",
    { class: "events" },
    ...events.map((e) =>
      h(
        "li",
        { class: "event", "data-reason": e.reason },
        h("span", { class: "event-time" }, simTime(e.timeSeconds)),
        h("span", { class: `badge badge-${TONE[e.reason] ?? "info"} event-reason` }, e.reason),
        h("span", { class: "event-object" }, `${e.kind} ${e.name}`),
        h("span", { class: "event-message" }, e.message),
      ),
    ),
  );
}

const EVENTS_SHOWN = 500;

export function eventsView(): HTMLElement {
  const reasons = [...new Set(state.events.map((e) => e.reason))].sort();
  const objectInput = h("input", {
    type: "search",
    class: "filter",
    placeholder: "Filter by object name",
    value: ui.eventObject,
    "aria-label": "Filter events by object",
  }) as HTMLInputElement;
  objectInput.addEventListener("change", () => update(() => (ui.eventObject = objectInput.value.trim())));
  const reasonSelect = h(
    "select",
    { "aria-label": "Filter events by reason" },
    h("option", { value: "" }, "All reasons"),
    ...reasons.map((r) => h("option", { value: r, selected: r === ui.eventReason }, r)),
  ) as HTMLSelectElement;
  reasonSelect.addEventListener("change", () => update(() => (ui.eventReason = reasonSelect.value)));
  const shown = state.events
    .filter((e) => (!ui.eventObject || e.name.includes(ui.eventObject)) && (!ui.eventReason || e.reason === ui.eventReason))
    .slice(-EVENTS_SHOWN)
    .reverse();
  return card(
    h("div", { class: "card-title" }, h("h2", {}, "Events"), h("span", { class: "muted" }, "newest first"), objectInput, reasonSelect),
    shown.length ? eventRows(shown) : empty("No events match."),
  );
}
