/** The report's charts: drawn from the data the report file carries (a JSON script element), offline. */
import { lineChart } from "./charts";
import type { ClusterHistory } from "./types";

interface ReportData {
  history: ClusterHistory[];
  capacity: Record<string, { cpuMhz: number; memoryMb: number }>;
}

const data = JSON.parse(document.getElementById("report-data")!.textContent!) as ReportData;

function percentSeries(h: ClusterHistory, metric: "cpuUsedMhz" | "memoryUsedMb", capacityOf: (host: string) => number) {
  return Object.entries(h.hosts).map(([host, series]) => ({
    label: host,
    values: series[metric].map((v) => (v === null || capacityOf(host) <= 0 ? null : Math.round((v / capacityOf(host)) * 1000) / 10)),
  }));
}

for (const el of document.querySelectorAll<HTMLElement>("[data-chart]")) {
  const [kind, cluster] = el.dataset.chart!.split(":");
  const h = data.history.find((x) => x.cluster === cluster);
  if (!h) continue;
  const cap = (host: string) => data.capacity[host] ?? { cpuMhz: 0, memoryMb: 0 };
  if (kind === "cpu")
    lineChart(el, {
      title: `CPU used per host, % (${cluster})`,
      times: h.times,
      unit: "%",
      series: percentSeries(h, "cpuUsedMhz", (x) => cap(x).cpuMhz),
    });
  if (kind === "memory")
    lineChart(el, {
      title: `Memory used per host, % (${cluster})`,
      times: h.times,
      unit: "%",
      series: percentSeries(h, "memoryUsedMb", (x) => cap(x).memoryMb),
    });
  if (kind === "imbalance")
    lineChart(el, {
      title: `DRS imbalance against its target (${cluster})`,
      times: h.times,
      unit: "std dev",
      series: [
        { label: "imbalance", values: h.imbalance },
        { label: "target", values: h.targetImbalance, color: "#8c8c8c", dash: true },
      ],
    });
}
