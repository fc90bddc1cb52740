/** Line charts over simulated time (uPlot), shared by the console and the report. */
import uPlot from "uplot";

export const PALETTE = ["#0072a3", "#e57200", "#318700", "#8939ad", "#c21d00", "#00838f", "#6f4e37", "#5c6bc0", "#ad1457", "#7cb342"];

export interface LineSeries {
  label: string;
  values: (number | null)[];
  color?: string;
  dash?: boolean;
}

export interface ChartSpec {
  title: string;
  times: number[];
  series: LineSeries[];
  /** Axis label of the values, e.g. "%". */
  unit: string;
  height?: number;
}

const axisTime = (seconds: number) => {
  const d = Math.floor(seconds / 86400);
  const hh = String(Math.floor((seconds % 86400) / 3600)).padStart(2, "0");
  const mm = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  return d > 0 ? `d${d} ${hh}:${mm}` : `${hh}:${mm}`;
};

/** Tick steps of simulated time: whole minutes, hours and days. */
const TIME_STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000];

/** Draws the chart into `el` (sized to its width) and returns the plot; the element records how many points it drew. */
export function lineChart(el: HTMLElement, spec: ChartSpec): uPlot {
  const points = spec.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
  el.dataset.points = String(points);
  el.classList.add("chart");
  const opts: uPlot.Options = {
    title: spec.title,
    width: Math.max(320, el.clientWidth || 640),
    height: spec.height ?? 220,
    scales: { x: { time: false } },
    axes: [
      { values: (_u, ticks) => ticks.map(axisTime), incrs: TIME_STEPS, space: 70, stroke: "#565656", grid: { stroke: "#eceff1" } },
      { label: spec.unit, stroke: "#565656", grid: { stroke: "#eceff1" }, size: 60 },
    ],
    series: [
      { label: "time", value: (_u, v) => (v === null ? "" : axisTime(v)) },
      ...spec.series.map((s, i) => ({
        label: s.label,
        stroke: s.color ?? PALETTE[i % PALETTE.length],
        width: 1.5,
        dash: s.dash ? [6, 4] : undefined,
        spanGaps: false,
        points: { show: spec.times.length < 40 },
      })),
    ],
    legend: { live: false },
    cursor: { drag: { x: true, y: false } },
  };
  return new uPlot(opts, [spec.times, ...spec.series.map((s) => s.values)] as uPlot.AlignedData, el);
}
