/** Virtual machines and containers as filterable tables; a click opens the object's details. */
import { h } from "../dom";
import { mb, mhz } from "../format";
import { objects } from "../state";
import type { Obj } from "../types";
import { select, ui, update } from "../ui";
import { badge, card, empty, table } from "./common";

/** Rows drawn at once: a filter narrows the rest. */
const ROWS_SHOWN = 400;

function filterBox(placeholder: string): HTMLElement {
  const input = h("input", {
    type: "search",
    class: "filter",
    placeholder,
    value: ui.vmFilter,
    "aria-label": placeholder,
  }) as HTMLInputElement;
  input.addEventListener("change", () => update(() => (ui.vmFilter = input.value.trim())));
  return input;
}

const matches = (o: Obj) => !ui.vmFilter || `${o.name} ${o.status.currentHost ?? ""} ${o.spec.pool ?? ""}`.includes(ui.vmFilter);
const nameCell = (o: Obj) => h("button", { class: "link", onclick: () => select(o.kind, o.name) }, o.name);

function migrationCell(o: Obj): HTMLElement | string {
  const m = o.status.migration;
  if (m) return h("span", { class: "muted" }, `${m.fromHost} → ${m.toHost}`);
  return o.status.lastMigration ? `${o.status.lastMigration.downtimeMs ?? "?"} ms down (last)` : "";
}

export function vmsView(): HTMLElement {
  const vms = objects("VirtualMachine").filter(matches);
  const rows = vms
    .slice(0, ROWS_SHOWN)
    .map((vm) => [
      nameCell(vm),
      badge(vm.status.haRestart ? vm.status.haRestart.state : vm.status.powerState),
      vm.status.currentHost ?? "",
      vm.spec.pool ?? "",
      `${vm.spec.vcpus} vCPU · ${mb(vm.spec.memoryMb)}`,
      vm.status.virtualization ? `${vm.status.virtualization} / ${vm.status.paging}` : "",
      `${mhz(vm.status.cpuUsedMhz)} of ${mhz(vm.status.cpuEntitlementMhz)}`,
      migrationCell(vm),
    ]);
  return card(
    h(
      "div",
      { class: "card-title" },
      h("h2", {}, "Virtual machines"),
      h("span", { class: "muted" }, `${vms.length} shown`),
      filterBox("Filter by name, host or pool"),
    ),
    vms.length === 0
      ? empty("No virtual machines match.")
      : table(["Name", "State", "Host", "Pool", "Size", "Mode", "CPU used / entitled", "Migration"], rows),
    vms.length > ROWS_SHOWN ? h("p", { class: "muted" }, `First ${ROWS_SHOWN} of ${vms.length}; filter to narrow.`) : null,
  );
}

export function containersView(): HTMLElement {
  // Natural order, so a farm reads web-1, web-2, ... web-12.
  const cts = objects("Container")
    .filter(matches)
    .sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
  const byHost = new Map<string, Obj[]>();
  for (const ct of cts) {
    const host = ct.status.currentHost ?? "(not running)";
    byHost.set(host, [...(byHost.get(host) ?? []), ct]);
  }
  const hostCards = [...byHost.entries()].map(([host, list]) => {
    const hostObj = objects("Host").find((x) => x.name === host);
    const scheduler = hostObj?.spec.hypervisor === "zones" ? "FSS shares" : "cpuunits";
    return card(
      h(
        "div",
        { class: "card-title" },
        h("h2", {}, host),
        hostObj ? badge(hostObj.spec.hypervisor, "info") : null,
        h("span", { class: "muted" }, `${list.length} containers`),
      ),
      table(
        ["Name", "State", "Template", "Addresses", scheduler, "CPU entitlement", "Memory"],
        list
          .slice(0, ROWS_SHOWN)
          .map((ct) => [
            nameCell(ct),
            badge(ct.status.state),
            ct.spec.template ?? "",
            (ct.status.ipAddresses ?? []).join(", "),
            String(hostObj?.spec.hypervisor === "zones" ? (ct.spec.cpu?.shares ?? 1) : (ct.spec.cpu?.units ?? 1000)),
            mhz(ct.status.cpuEntitlementMhz ?? 0),
            mb(ct.spec.memoryMb ?? 0),
          ]),
      ),
    );
  });
  return h(
    "div",
    { class: "stack" },
    h("div", { class: "toolbar" }, filterBox("Filter containers by name or host")),
    ...(hostCards.length > 0 ? hostCards : [card("Containers", empty("No containers."))]),
  );
}
