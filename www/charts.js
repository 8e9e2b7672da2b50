// Small wrappers over uPlot (vendored from npm at build time): live line charts that grow a point
// at a time, and bar charts comparing the three models.

import uPlot from "./generated/vendor/uPlot.esm.js";

const COLORS = { teacher: "#6b7280", distilled: "#2563eb", scratch: "#d97706" };

function width(el) {
  return Math.max(260, Math.min(el.clientWidth || 480, 720));
}

/** A line chart of the distilled and the scratch student against training steps. */
export class CurveChart {
  constructor(el, { title, yLabel, yRange }) {
    this.el = el;
    this.options = {
      title,
      width: width(el),
      height: 220,
      scales: { x: { time: false }, y: yRange ? { range: yRange } : {} },
      axes: [{ label: "step" }, { label: yLabel }],
      series: [
        {},
        { label: "distilled", stroke: COLORS.distilled, width: 2, spanGaps: true },
        { label: "scratch", stroke: COLORS.scratch, width: 2, spanGaps: true },
      ],
    };
    this.reset();
    new ResizeObserver(() => this.plot.setSize({ width: width(el), height: 220 })).observe(el);
  }

  reset() {
    this.data = [[], [], []];
    this.plot?.destroy();
    this.plot = new uPlot(this.options, this.data, this.el);
  }

  /** Adds the values (null for none) of both students at `step`. */
  add(step, distilled, scratch) {
    this.data[0].push(step);
    this.data[1].push(distilled);
    this.data[2].push(scratch);
    this.plot.setData(this.data);
  }
}

/** Three bars (teacher, distilled, scratch) of one measure. */
export class BarChart {
  constructor(el, { title, format }) {
    this.el = el;
    this.title = title;
    this.format = format;
    this.plot = null;
  }

  show(values) {
    const names = ["teacher", "distilled", "scratch"];
    const shown = names.map((n, i) => [n, values[i]]).filter(([, v]) => v != null);
    const bars = uPlot.paths.bars({ size: [0.6, 80] });
    const options = {
      title: this.title,
      width: Math.max(220, Math.min(this.el.clientWidth || 300, 360)),
      height: 180,
      legend: { show: false },
      scales: { x: { time: false, range: [-0.5, shown.length - 0.5] }, y: { range: (u, min, max) => [0, max * 1.15 || 1] } },
      axes: [
        { values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) ? shown[t]?.[0] ?? "" : "")), splits: () => shown.map((_, i) => i) },
        { values: (u, ticks) => ticks.map((t) => this.format(t)), size: 70 },
      ],
      series: [
        {},
        {
          label: this.title,
          paths: bars,
          points: { show: false },
          fill: (u, seriesIdx) => "#2563eb55",
          stroke: "#2563eb",
          value: (u, v) => (v == null ? "" : this.format(v)),
        },
      ],
    };
    this.plot?.destroy();
    this.plot = new uPlot(options, [shown.map((_, i) => i), shown.map(([, v]) => v)], this.el);
  }
}

export { COLORS };
