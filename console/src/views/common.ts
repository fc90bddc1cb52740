/** Pieces every view uses: cards, badges, capacity bars, key-value lists, empty states. */
import { h } from "../dom";
import { percent } from "../format";

export function card(title: string | HTMLElement, ...body: (HTMLElement | string | null | false)[]): HTMLElement {
  return h(
    "section",
    { class: "card" },
    h("header", { class: "card-head" }, typeof title === "string" ? h("h2", {}, title) : title),
    h("div", { class: "card-body" }, ...body),
  );
}

const STATE_TONE: Record<string, string> = {
  connected: "ok",
  running: "ok",
  on: "ok",
  raised: "bad",
  failed: "bad",
  isolated: "bad",
  off: "muted",
  stopped: "muted",
  standby: "muted",
  maintenance: "warn",
  enteringMaintenance: "warn",
  enteringStandby: "warn",
};

export function badge(text: string, tone = STATE_TONE[text] ?? "info"): HTMLElement {
  return h("span", { class: `badge badge-${tone}` }, text);
}

/** Capacity bar: reserved as a hatched band under used, both against capacity. */
export function capacityBar(label: string, used: number, reserved: number, capacity: number, show: (v: number) => string): HTMLElement {
  const u = percent(used, capacity);
  const r = percent(reserved, capacity);
  const tone = u >= 90 ? "bad" : u >= 75 ? "warn" : "ok";
  return h(
    "div",
    { class: "cap", title: `${label}: used ${show(used)}, reserved ${show(reserved)} of ${show(capacity)}` },
    h("div", { class: "cap-label" }, h("span", {}, label), h("span", { class: "cap-figure" }, `${show(used)} / ${show(capacity)}`)),
    h(
      "div",
      { class: "cap-track" },
      h("div", { class: "cap-reserved", style: `width:${r.toFixed(1)}%` }),
      h("div", { class: `cap-used cap-${tone}`, style: `width:${u.toFixed(1)}%` }),
    ),
  );
}

export function facts(rows: [string, unknown][]): HTMLElement {
  return h(
    "dl",
    { class: "facts" },
    ...rows.flatMap(([k, v]) => [
      h("dt", {}, k),
      h("dd", {}, v instanceof Node ? v : v === null || v === undefined || v === "" ? "—" : String(v)),
    ]),
  );
}

export function empty(text: string): HTMLElement {
  return h("p", { class: "empty" }, text);
}

export function table(head: string[], rows: (Node | string | number | null)[][], opts: { class?: string } = {}): HTMLElement {
  return h(
    "table",
    { class: `grid ${opts.class ?? ""}` },
    h("thead", {}, h("tr", {}, ...head.map((c) => h("th", {}, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c ?? "—"))))),
  );
}
