/**
 * Clusters and their hosts: CPU and memory bars (capacity, reserved, used), host state, the VMs and
 * containers on each host, and for operators the host actions. A cluster of many hosts gets a
 * heatmap above the rows, so 96 hosts read at a glance.
 */
import { api } from "../api";
import { act, actionButton } from "../actions";
import { h } from "../dom";
import { mb, mhz, percent } from "../format";
import { canOperate, objects } from "../state";
import type { Obj } from "../types";
import { select, ui, update } from "../ui";
import { badge, capacityBar, card } from "./common";

const HEATMAP_FROM_HOSTS = 12;
/** Guests shown per host row; the VM and container tabs list all of them. */
const GUESTS_SHOWN = 48;

function heatColor(p: number): string {
  // Calm green through amber to red.
  const stops = [
    [0, [220, 237, 200]],
    [50, [142, 196, 106]],
    [75, [255, 196, 0]],
    [90, [229, 114, 0]],
    [100, [201, 33, 0]],
  ] as const;
  let i = 0;
  while (i < stops.length - 2 && p > stops[i + 1][0]) i++;
  const [p0, c0] = stops[i];
  const [p1, c1] = stops[i + 1];
  const t = Math.min(1, Math.max(0, (p - p0) / (p1 - p0)));
  return `rgb(${c0.map((c, k) => Math.round(c + (c1[k] - c) * t)).join(",")})`;
}

function hostUse(host: Obj): number {
  const s = host.status;
  return ui.heatmapMetric === "cpu" ? percent(s.cpuUsedMhz, s.cpuCapacityMhz) : percent(s.memoryUsedMb, s.memoryCapacityMb);
}

function heatmap(hosts: Obj[]): HTMLElement {
  const toggle = (metric: "cpu" | "memory") =>
    h(
      "button",
      { class: `seg ${ui.heatmapMetric === metric ? "seg-on" : ""}`, onclick: () => update(() => (ui.heatmapMetric = metric)) },
      metric === "cpu" ? "CPU" : "Memory",
    );
  return h(
    "div",
    { class: "heatmap-wrap" },
    h(
      "div",
      { class: "heatmap-head" },
      h("span", { class: "muted" }, `${ui.heatmapMetric === "cpu" ? "CPU" : "Memory"} used per host`),
      h("span", { class: "segs" }, toggle("cpu"), toggle("memory")),
    ),
    h(
      "div",
      { class: "heatmap" },
      ...hosts.map((host) => {
        const down = ["failed", "isolated", "standby", "maintenance"].includes(host.status.state);
        const p = hostUse(host);
        return h(
          "button",
          {
            class: `heat ${down ? "heat-down" : ""}`,
            style: down ? "" : `background:${heatColor(p)}`,
            title: `${host.name}: ${down ? host.status.state : `${p.toFixed(0)}% used`}`,
            onclick: () => select("Host", host.name),
          },
          h("span", { class: "heat-name" }, host.name),
          h("span", { class: "heat-value" }, down ? host.status.state : `${p.toFixed(0)}%`),
        );
      }),
    ),
  );
}

function guestChips(host: Obj): HTMLElement {
  const vms: string[] = host.status.vms ?? [];
  const incoming: string[] = host.status.incomingVms ?? [];
  const containers: string[] = host.status.containers ?? [];
  const chips = [
    ...vms.map((n) => h("button", { class: "chip", onclick: () => select("VirtualMachine", n) }, n)),
    ...incoming.map((n) =>
      h("button", { class: "chip chip-incoming", title: `${n} is migrating here`, onclick: () => select("VirtualMachine", n) }, `→ ${n}`),
    ),
    ...containers.map((n) => h("button", { class: "chip chip-ct", onclick: () => select("Container", n) }, n)),
  ];
  const more = chips.length - GUESTS_SHOWN;
  return h(
    "div",
    { class: "chips" },
    ...chips.slice(0, GUESTS_SHOWN),
    more > 0 ? h("span", { class: "muted" }, `+${more} more`) : null,
    chips.length === 0 ? h("span", { class: "muted" }, "no guests") : null,
  );
}

function hostActions(host: Obj): HTMLElement | null {
  if (!canOperate()) return null;
  const n = host.name;
  const state = host.status.state as string;
  const down = state === "failed" || state === "isolated";
  const inMaintenance = host.spec.maintenance === true;
  return h(
    "div",
    { class: "actions" },
    actionButton("Fail", `Fail ${n}`, () => act(`${n} failed`, () => api.failHost(n)), { disabled: down, tone: "danger" }),
    actionButton("Recover", `Recover ${n}`, () => act(`${n} recovered`, () => api.recoverHost(n)), { disabled: !down }),
    actionButton(inMaintenance ? "Exit maintenance" : "Maintenance", `${inMaintenance ? "Exit" : "Enter"} maintenance ${n}`, () =>
      act(`${n} ${inMaintenance ? "leaves" : "enters"} maintenance`, () =>
        api.apply("Host", n, { ...host.spec, maintenance: !inMaintenance }, host.generation),
      ),
    ),
  );
}

function hostRow(host: Obj): HTMLElement {
  const s = host.status;
  return h(
    "div",
    { class: `host host-${s.state}`, "data-host": host.name },
    h(
      "div",
      { class: "host-id" },
      h("button", { class: "host-name link", onclick: () => select("Host", host.name) }, host.name),
      h(
        "div",
        { class: "host-sub" },
        `${host.spec.hypervisor} ${s.hypervisorVersion ?? ""}`,
        " ",
        badge(s.state),
        s.haFailoverHost ? badge("failover", "info") : null,
      ),
    ),
    h(
      "div",
      { class: "host-bars" },
      capacityBar("CPU", s.cpuUsedMhz, s.cpuReservedMhz, s.cpuCapacityMhz, mhz),
      capacityBar("Memory", s.memoryUsedMb, s.memoryReservedMb, s.memoryCapacityMb, mb),
    ),
    guestChips(host),
    hostActions(host),
  );
}

function clusterCard(title: HTMLElement, hosts: Obj[]): HTMLElement {
  const many = hosts.length >= HEATMAP_FROM_HOSTS;
  return card(title, many ? heatmap(hosts) : null, h("div", { class: `hosts ${many ? "hosts-compact" : ""}` }, ...hosts.map(hostRow)));
}

export function hostsView(): HTMLElement {
  const hosts = objects("Host");
  const clusters = objects("Cluster");
  const cards = clusters.map((c) => {
    const members = hosts.filter((h) => h.spec.cluster === c.name);
    const s = c.status;
    const title = h(
      "div",
      { class: "card-title" },
      h("h2", {}, c.name),
      badge(c.spec.drs?.enabled ? `DRS ${c.spec.drs.automationLevel}` : "DRS off", c.spec.drs?.enabled ? "info" : "muted"),
      badge(c.spec.ha?.enabled ? "HA on" : "HA off", c.spec.ha?.enabled ? "info" : "muted"),
      h(
        "span",
        { class: "muted" },
        `${members.length} hosts · ${mhz(s.cpuCapacityMhz ?? 0)} · ${mb(s.memoryCapacityMb ?? 0)} · imbalance ${s.drs?.imbalance ?? 0} (target ${s.drs?.targetImbalance ?? 0})`,
      ),
    );
    return clusterCard(title, members);
  });
  const standalone = hosts.filter((h) => !h.spec.cluster);
  if (standalone.length > 0) cards.push(clusterCard(h("div", { class: "card-title" }, h("h2", {}, "Standalone hosts")), standalone));
  return h(
    "div",
    { class: "stack" },
    ...(cards.length > 0 ? cards : [card("No hosts yet", h("p", {}, "Declare clusters and hosts with Pulumi or `polyvisor apply`."))]),
  );
}
