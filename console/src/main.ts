/** The console: a header with the clock and the role, tabs of views, a details panel and recent events. */
import { advance, setSpeed, toasts } from "./actions";
import { ApiError, setToken, takeTokenFromLocation } from "./api";
import { h, fill } from "./dom";
import { simTime } from "./format";
import { addEvents, canOperate, loadFirst, loadRest, objects, onChange, setConnected, simulatedNow, state } from "./state";
import { followEvents } from "./stream";
import { TABS, type Tab, setRenderer, ui, update } from "./ui";
import { drsView, haView } from "./views/clusters";
import { detailPanel } from "./views/detail";
import { containersView, vmsView } from "./views/guests";
import { hostsView } from "./views/hosts";
import { alarmsView, eventRows, eventsView, storageView } from "./views/lists";

const VIEWS: Record<Tab, () => HTMLElement> = {
  "Hosts and clusters": hostsView,
  "Virtual machines": vmsView,
  Containers: containersView,
  DRS: drsView,
  HA: haView,
  Storage: storageView,
  Alarms: alarmsView,
  Events: eventsView,
};

const clockText = h("span", { class: "clock-time" });
const clockMode = h("span", { class: "clock-mode" });
const controls = h("div", { class: "controls" });
const who = h("div", { class: "who" });
const nav = h("nav", { class: "tabs", "aria-label": "Views" });
const main = h("main", { class: "content" });
const drawer = h("div", { class: "drawer-slot" });
const recent = h("div", { class: "recent-body" });
const banner = h("div", { class: "banner", hidden: true });

function tokenForm(message: string): HTMLElement {
  const input = h("input", {
    type: "password",
    placeholder: "API token",
    "aria-label": "API token",
    autocomplete: "off",
  }) as HTMLInputElement;
  const form = h(
    "form",
    { class: "token-form" },
    h("h2", {}, "Sign in to Polyvisor"),
    h("p", { class: "muted" }, message),
    input,
    h("button", { class: "btn btn-primary", type: "submit" }, "Use token"),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    setToken(input.value.trim());
    void start();
  });
  return h("div", { class: "overlay" }, form);
}

function renderControls(): void {
  fill(
    controls,
    canOperate()
      ? [
          h("button", { class: "btn btn-header", onclick: () => advance(300, "5 minutes") }, "Advance 5 min"),
          h("button", { class: "btn btn-header", onclick: () => advance(3600, "1 hour") }, "Advance 1 h"),
          ...(state.clock.paused
            ? [
                h("button", { class: "btn btn-header", onclick: () => setSpeed(1) }, "Resume clock"),
                h("button", { class: "btn btn-header", onclick: () => setSpeed(60) }, "Run 60x"),
              ]
            : [h("button", { class: "btn btn-header", onclick: () => setSpeed(0) }, `Pause clock (${state.clock.speed}x)`)]),
        ]
      : null,
  );
  const raised = objects("Alarm").filter((a) => a.status.state === "raised").length;
  fill(
    who,
    raised > 0
      ? h(
          "button",
          { class: "alarm-pill", onclick: () => update(() => (ui.tab = "Alarms")) },
          `${raised} alarm${raised > 1 ? "s" : ""} raised`,
        )
      : null,
    h("span", {
      class: `conn ${state.connected ? "conn-on" : "conn-off"}`,
      title: state.connected ? "live: following the event stream" : "reconnecting to the event stream",
    }),
    h("span", { class: "role", "aria-label": "Role" }, state.role ?? "no role"),
    state.whoName ? h("span", { class: "muted-light" }, state.whoName) : null,
    h(
      "button",
      {
        class: "link link-light",
        onclick: () => {
          setToken("");
          location.reload();
        },
      },
      "Change token",
    ),
  );
}

function renderClock(): void {
  clockText.textContent = simTime(simulatedNow());
  clockMode.textContent = state.clock.paused ? "paused" : `×${state.clock.speed}`;
}

function render(): void {
  renderControls();
  renderClock();
  fill(
    nav,
    ...TABS.map((t) =>
      h(
        "button",
        {
          class: `tab ${ui.tab === t ? "tab-on" : ""}`,
          "aria-current": ui.tab === t ? "page" : null,
          onclick: () => update(() => (ui.tab = t)),
        },
        t,
      ),
    ),
  );
  fill(main, VIEWS[ui.tab]());
  fill(drawer, detailPanel());
  fill(recent, eventRows(state.events.slice(-8).reverse()));
  // What the page shows up to, for tests and benchmarks to wait on.
  document.body.dataset.lastSeq = String(state.events.at(-1)?.seq ?? 0);
  banner.hidden = !state.error;
  banner.textContent = state.error ?? "";
}

let frame = 0;
function scheduleRender(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    render();
  });
}

function layout(): void {
  document.body.replaceChildren(
    h(
      "header",
      { class: "top" },
      h("div", { class: "brand" }, h("span", { class: "logo" }, "▦"), "Polyvisor"),
      h("div", { class: "clock", "aria-label": "Simulated clock" }, clockText, clockMode),
      controls,
      who,
    ),
    nav,
    banner,
    h("div", { class: "body" }, main, drawer),
    h("footer", { class: "recent" }, h("div", { class: "recent-head" }, "Recent events"), recent),
    toasts(),
  );
}

let started = false;
async function start(): Promise<void> {
  try {
    await loadFirst();
    if (started) return render();
    started = true;
    layout();
    setRenderer(scheduleRender);
    onChange(scheduleRender);
    render();
    // When the first screen was complete, in ms since navigation began (for benchmarks).
    document.body.dataset.firstRenderMs = String(Math.round(performance.now()));
    followEvents(await loadRest(), addEvents, setConnected);
    // The clock display moves by itself while the server's clock runs; no request is made.
    setInterval(() => state.clock.paused || renderClock(), 1000);
  } catch (e) {
    const unauthorized = e instanceof ApiError && (e.status === 401 || e.status === 403);
    document.body.replaceChildren(
      tokenForm(
        unauthorized
          ? "This server needs a token: paste one made with `polyvisor token create`."
          : `Cannot reach the server: ${e instanceof Error ? e.message : e}`,
      ),
    );
  }
}

takeTokenFromLocation();
// A new #token=... in the address bar signs in again with it.
window.addEventListener("hashchange", () => {
  if (/token=/.test(location.hash)) {
    takeTokenFromLocation();
    location.reload();
  }
});
void start();
