/** What the person is looking at: the tab, the selected object and the filters. */
export const TABS = ["Hosts and clusters", "Virtual machines", "Containers", "DRS", "HA", "Storage", "Alarms", "Events"] as const;
export type Tab = (typeof TABS)[number];

export const ui = {
  tab: "Hosts and clusters" as Tab,
  selected: null as { kind: string; name: string } | null,
  vmFilter: "",
  eventObject: "",
  eventReason: "",
  heatmapMetric: "cpu" as "cpu" | "memory",
};

let rerender: () => void = () => {};
export function setRenderer(render: () => void): void {
  rerender = render;
}
export function update(change: () => void): void {
  change();
  rerender();
}
export const select = (kind: string, name: string) => update(() => (ui.selected = { kind, name }));
