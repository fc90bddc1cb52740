/** The side panel of one object: spec, status, virtualization mode and why, entitlements, migrations. */
import { act, actionButton } from "../actions";
import { api } from "../api";
import { h } from "../dom";
import { mb, mhz, simTime } from "../format";
import { canOperate, object, objects, simulatedNow } from "../state";
import type { Obj } from "../types";
import { select, ui, update } from "../ui";
import { badge, facts } from "./common";

function migrationProgress(m: { fromHost: string; toHost: string; startedAtSeconds: number; completesAtSeconds: number }): HTMLElement {
  const span = Math.max(1e-9, m.completesAtSeconds - m.startedAtSeconds);
  const p = Math.min(100, Math.max(0, ((simulatedNow() - m.startedAtSeconds) / span) * 100));
  return h(
    "div",
    { class: "migration" },
    h("div", {}, `${m.fromHost} → ${m.toHost}: ${simTime(m.startedAtSeconds)} to ${simTime(m.completesAtSeconds)}`),
    h("div", { class: "cap-track" }, h("div", { class: "cap-used cap-ok", style: `width:${p.toFixed(0)}%` })),
  );
}

function lastMigration(l: Record<string, any> | null): HTMLElement | string {
  if (!l) return "none yet";
  return facts([
    ["From → to", `${l.fromHost} → ${l.toHost}`],
    ["Rounds", l.rounds],
    ["Sent", l.transferredMb !== undefined ? mb(l.transferredMb) : null],
    ["Total", `${l.totalSeconds} s`],
    ["Downtime", `${l.downtimeMs} ms`],
    ["Stopped because", l.stopReason ?? l.kind],
  ]);
}

function migrateControl(vm: Obj): HTMLElement | null {
  if (!canOperate() || vm.status.powerState !== "on" || vm.status.migration) return null;
  const hosts = objects("Host").filter(
    (x) => x.spec.cluster === vm.status.cluster && x.name !== vm.status.currentHost && x.status.state === "connected",
  );
  if (hosts.length === 0) return null;
  const pick = h(
    "select",
    { "aria-label": `Target host for ${vm.name}` },
    ...hosts.map((x) => h("option", { value: x.name }, x.name)),
  ) as HTMLSelectElement;
  return h(
    "div",
    { class: "inline-form" },
    pick,
    actionButton(
      "Migrate",
      `Migrate ${vm.name}`,
      () =>
        act(`${vm.name} migrating to ${pick.value}`, () =>
          api.apply("VirtualMachine", vm.name, { ...vm.spec, host: pick.value }, vm.generation),
        ),
      { tone: "primary" },
    ),
  );
}

function vmBody(vm: Obj): HTMLElement[] {
  const s = vm.status;
  return [
    facts([
      ["State", badge(s.haRestart ? s.haRestart.state : s.powerState)],
      ["Host", s.currentHost],
      ["Cluster / pool", `${s.cluster ?? "—"} / ${vm.spec.pool ?? "(root)"}`],
      ["Size", `${vm.spec.vcpus} vCPU · ${mb(vm.spec.memoryMb)} · ${vm.spec.guestOs} ${vm.spec.guestArch ?? ""}`],
      ["Virtualization", s.virtualization ? `${s.virtualization}, ${s.paging} paging` : null],
      ["Why", s.virtualizationReason],
      ["CPU demand / entitled / used", `${mhz(s.cpuDemandMhz)} / ${mhz(s.cpuEntitlementMhz)} / ${mhz(s.cpuUsedMhz)}`],
      ["Memory entitled / used", `${mb(s.memoryEntitlementMb)} / ${mb(s.memoryUsedMb)}`],
      ["Overhead", `${s.overheadCpuPercent}% CPU · ${mb(s.overheadMemoryMb)}`],
      ["DRS score", s.drsScore],
      [
        "HA restart",
        s.haRestart
          ? `${s.haRestart.state} from ${s.haRestart.fromHost}${s.haRestart.pendingReason ? `: ${s.haRestart.pendingReason}` : ""}`
          : null,
      ],
    ]),
    h("h3", {}, "Migration in flight"),
    s.migration ? migrationProgress(s.migration) : h("p", { class: "muted" }, "none"),
    h("h3", {}, `Last migration (${s.migrations ?? 0} so far)`),
    lastMigration(s.lastMigration) as HTMLElement,
    migrateControl(vm),
  ].filter((x): x is HTMLElement => x !== null);
}

function containerBody(ct: Obj): HTMLElement[] {
  const s = ct.status;
  return [
    facts([
      ["State", badge(s.state)],
      ["Host", s.currentHost],
      ["Template", `${ct.spec.template}${ct.spec.apps?.length ? ` + ${ct.spec.apps.join(", ")}` : ""}`],
      ["Brand", s.brand],
      ["Addresses", (s.ipAddresses ?? []).join(", ")],
      ["CPU", `units ${ct.spec.cpu?.units ?? "—"} · shares ${ct.spec.cpu?.shares ?? "—"} · entitled ${mhz(s.cpuEntitlementMhz)}`],
      ["Memory", `${mb(ct.spec.memoryMb)} + ${mb(s.overheadMemoryMb)} overhead`],
    ]),
    h("h3", {}, "Move in flight"),
    s.migration ? migrationProgress(s.migration) : h("p", { class: "muted" }, "none"),
    h("h3", {}, "Last move"),
    lastMigration(s.lastMigration) as HTMLElement,
  ];
}

function genericBody(o: Obj): HTMLElement[] {
  return [
    h("h3", {}, "Spec"),
    h("pre", { class: "json" }, JSON.stringify(o.spec, null, 2)),
    h("h3", {}, "Status"),
    h("pre", { class: "json" }, JSON.stringify(o.status, null, 2)),
  ];
}

export function detailPanel(): HTMLElement | null {
  if (!ui.selected) return null;
  const o = object(ui.selected.kind, ui.selected.name);
  const close = h("button", { class: "link close", "aria-label": "Close details", onclick: () => update(() => (ui.selected = null)) }, "×");
  if (!o) return h("aside", { class: "drawer" }, close, h("p", {}, `${ui.selected.kind} ${ui.selected.name} no longer exists.`));
  const body = o.kind === "VirtualMachine" ? vmBody(o) : o.kind === "Container" ? containerBody(o) : genericBody(o);
  const related =
    o.kind === "Host"
      ? [...(o.status.vms ?? [])]
          .slice(0, 30)
          .map((n: string) => h("button", { class: "chip", onclick: () => select("VirtualMachine", n) }, n))
      : [];
  return h(
    "aside",
    { class: "drawer", "aria-label": `${o.kind} ${o.name}` },
    close,
    h("div", { class: "drawer-kind" }, o.kind),
    h("h2", {}, o.name),
    ...body,
    related.length ? h("div", { class: "chips" }, ...related) : null,
  );
}
