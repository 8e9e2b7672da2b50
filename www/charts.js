// Charts, through uPlot (vendored from npm at build time): live curves that grow a point at a
// time, the cards' small curves, and the sweep's accuracy-for-size and time-for-size plots. The
// page imports this module lazily: a chart library that cannot load is a notice, not a dead page.
// Colours come from the page's CSS variables, so charts follow the light or dark scheme.

import uPlot from "./generated/vendor/uPlot.esm.js";
import { bytes, int, ms, pct } from "./format.js";

const sheet = document.createElement("link");
sheet.rel = "stylesheet";
sheet.href = new URL("./generated/vendor/uPlot.min.css", import.meta.url).href;
document.head.append(sheet);

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const theme = () => ({
  teacher: css("--c-teacher"), distilled: css("--c-distilled"), scratch: css("--c-scratch"),
  fg: css("--fg"), muted: css("--muted"), grid: css("--line"), bg: css("--bg"),
});

/** Every chart on the page, redrawn when the colour scheme changes. */
const charts = new Set();
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => charts.forEach((c) => c.redraw()));

const width = (el, lo, hi) => Math.max(lo, Math.min(el.clientWidth || hi, hi));
const axis = (t, label, extra = {}) => ({ label, stroke: t.fg, grid: { stroke: t.grid }, ticks: { stroke: t.grid }, ...extra });

class Chart {
  constructor(el) {
    this.el = el;
    this.plot = null;
    charts.add(this);
    // Resized on the next frame, and only when the width changed: resizing inside the observer's
    // callback would notify it again ("ResizeObserver loop completed with undelivered notifications").
    new ResizeObserver(() => requestAnimationFrame(() => {
      const size = this.size();
      if (this.plot && size.width !== this.plot.width) this.plot.setSize(size);
    })).observe(el);
  }

  redraw() {
    this.plot?.destroy();
    this.plot = new uPlot({ ...this.options(theme()), ...this.size() }, this.data(), this.el);
  }
}

/** The distilled and the scratch student against training steps. */
export class CurveChart extends Chart {
  constructor(el, { title, yLabel, yRange }) {
    super(el);
    Object.assign(this, { title, yLabel, yRange });
    this.reset();
  }

  size() {
    return { width: width(this.el, 260, 720), height: 220 };
  }

  options(t) {
    return {
      title: this.title,
      scales: { x: { time: false }, y: this.yRange ? { range: this.yRange } : {} },
      axes: [axis(t, "step"), axis(t, this.yLabel)],
      series: [
        {},
        { label: "distilled", stroke: t.distilled, width: 2, spanGaps: true },
        { label: "without teacher", stroke: t.scratch, width: 2, spanGaps: true },
      ],
    };
  }

  data() {
    return this.points;
  }

  reset() {
    this.points = [[], [], []];
    this.redraw();
    this.el.dataset.points = "0";
  }

  /** Adds both students' values (null for none) at `step`. The two may arrive apart (the
   * scratch twin trains on another worker): a step already drawn gets the other's value, and a
   * step before the last drawn is put in its place (uPlot needs its x values in order). */
  add(step, distilled, scratch) {
    const [xs, ds, ss] = this.points;
    let at = xs.length;
    while (at > 0 && xs[at - 1] > step) at -= 1;
    if (at > 0 && xs[at - 1] === step) {
      ds[at - 1] = distilled ?? ds[at - 1];
      ss[at - 1] = scratch ?? ss[at - 1];
    } else {
      xs.splice(at, 0, step);
      ds.splice(at, 0, distilled);
      ss.splice(at, 0, scratch);
    }
    this.plot.setData(this.points);
    // How many points are drawn, for a test (or anyone) to read without looking into the canvas.
    this.el.dataset.points = String(this.count);
  }

  /** How many points have been drawn. */
  get count() {
    return this.points[0].length;
  }
}

/** A student card's small curve: its live accuracy, no axes. */
export class Spark extends Chart {
  constructor(el, model) {
    super(el);
    this.model = model;
    this.reset();
  }

  size() {
    return { width: width(this.el, 120, 360), height: 48 };
  }

  options(t) {
    return {
      legend: { show: false },
      cursor: { show: false },
      // Fitted to the values (accuracy climbs from 85% to 97%: on a 0-1 scale that is a flat line).
      scales: { x: { time: false }, y: { range: (u, min, max) => [Math.max(0, min - 0.01), Math.min(1, max + 0.01)] } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: t[this.model], width: 2, spanGaps: true, points: { show: false } }],
    };
  }

  data() {
    return this.points;
  }

  reset() {
    this.points = [[], []];
    this.redraw();
    this.el.dataset.points = "0";
  }

  add(x, y) {
    this.points[0].push(x);
    this.points[1].push(y);
    this.plot.setData(this.points);
    this.el.dataset.points = String(this.count);
  }

  get count() {
    return this.points[0].length;
  }
}

/**
 * A sweep plot against model size (bytes, log scale): for each kind of student a line of its
 * distilled sizes (solid) and of the same sizes without the teacher (dashed), in the kind's colour;
 * markers for the int8 copies; the teacher as a point. Both scales are fitted to every point drawn,
 * and what is drawn (points, scale ranges, tick labels) is written on the element for anyone to
 * check without reading the canvas.
 */
export class SizeChart extends Chart {
  /** `yLog`: a log scale for the values too (times span three decades, teacher to linear model). */
  constructor(el, { title, yLabel, format, int8 = false, yLog = false }) {
    super(el);
    Object.assign(this, { title, yLabel, format, int8, yLog });
    this.rows = [];
    this.kinds = [];
    this.teacher = null;
    this.redraw();
  }

  size() {
    return { width: width(this.el, 260, 720), height: 300 };
  }

  options(t) {
    // uPlot's default point drawing walks the x-data's visible index range, which an xy chart
    // (mode 2) does not have: without `filter` listing every index, no marker is drawn at all.
    const every = (u, si) => u.data[si][0].map((_, i) => i);
    const marker = (size, fill) => ({ show: true, size, fill, filter: every });
    const dots = (stroke, size) => ({ stroke, fill: stroke, width: 0, paths: () => null, points: marker(size, stroke) });
    const series = [{}];
    for (const { kind, name } of this.kinds) {
      const stroke = css(`--c-${kind}`) || t.distilled;
      series.push({ label: `${name}, distilled`, stroke, width: 2, points: marker(7, stroke) });
      series.push({ label: `${name}, without teacher`, stroke, width: 1.5, dash: [6, 4], points: marker(6, t.bg) });
    }
    series.push({ label: "teacher", ...dots(t.teacher, 11) });
    if (this.int8) series.push({ label: "distilled, as int8", ...dots(t.fg, 5) });
    const labelled = (format, key) => (u, ticks) => (this[key] = ticks.map((v) => (v == null ? "" : format(v))));
    return {
      mode: 2,
      title: this.title,
      legend: { live: false },
      scales: {
        x: { time: false, distr: 3, range: () => this.range(0, true) },
        y: { distr: this.yLog ? 3 : 1, range: () => this.range(1, this.yLog) },
      },
      axes: [
        axis(t, "size (bytes, log scale)", { values: labelled(bytes, "xTicks"), splits: decades }),
        axis(t, this.yLog ? `${this.yLabel} (log scale)` : this.yLabel,
          { values: labelled(this.format, "yTicks"), size: 70, ...(this.yLog ? { splits: decades } : {}) }),
      ],
      series,
      hooks: { draw: [(u) => this.describe(u)] },
    };
  }

  /** Every point drawn, as [x, y]. */
  points() {
    const data = this.data().slice(1);
    return data.flatMap(([xs, ys]) => xs.map((x, i) => [x, ys[i]]));
  }

  /** The range of coordinate `axis` (0: x, 1: y) over every point, with a margin. */
  range(axis, log) {
    const values = this.points().map((p) => p[axis]).filter((v) => v != null && Number.isFinite(v) && (!log || v > 0));
    if (values.length === 0) return log ? [1, 10] : [0, 1];
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    if (log) return [lo / 1.6, hi * 1.6];
    const pad = Math.max((hi - lo) * 0.08, 0.005);
    return [lo - pad, hi + pad];
  }

  data() {
    const xy = (points) => [points.map((p) => p[0]), points.map((p) => p[1])];
    const data = [null];
    for (const { kind } of this.kinds) {
      const rows = this.rows.filter((r) => r.kind === kind);
      data.push(xy(rows.map((r) => [r.bytes, r.distilled])));
      data.push(xy(rows.filter((r) => r.scratch != null).map((r) => [r.bytes, r.scratch])));
    }
    data.push(xy(this.teacher ? [[this.teacher.bytes, this.teacher.value]] : []));
    if (this.int8) data.push(xy(this.rows.filter((r) => r.int8Bytes != null).map((r) => [r.int8Bytes, r.int8])));
    return data;
  }

  /** What the chart shows, on the element: the points, the scales' ranges and the tick labels. */
  describe(u) {
    const d = this.el.dataset;
    d.plotted = JSON.stringify(this.points());
    d.xRange = JSON.stringify([u.scales.x.min, u.scales.x.max]);
    d.yRange = JSON.stringify([u.scales.y.min, u.scales.y.max]);
    d.xTicks = JSON.stringify(this.xTicks ?? []);
    d.yTicks = JSON.stringify(this.yTicks ?? []);
  }

  /**
   * `rows`: [{kind, kindName, bytes, distilled, scratch, int8Bytes, int8}], in the sweep's order;
   * `teacher`: {bytes, value}.
   */
  show(rows, teacher) {
    this.rows = rows;
    this.teacher = teacher;
    const kinds = [...new Map(rows.map((r) => [r.kind, { kind: r.kind, name: r.kindName }])).values()];
    // A new kind is a new pair of series: build the plot again; otherwise only the data changes.
    if (kinds.map((k) => k.kind).join() !== this.kinds.map((k) => k.kind).join()) {
      this.kinds = kinds;
      this.redraw();
    } else {
      this.plot.setData(this.data());
    }
    this.el.dataset.points = String(rows.length);
    this.el.dataset.teacher = String(Boolean(teacher));
  }
}

/**
 * Ticks of a log axis at round values inside [min, max]: the powers of ten, with 2× and 5× of
 * each where there would be fewer than three (uPlot's own log ticks start at the range's edge,
 * which gives labels such as "104.2 KB").
 */
function decades(u, axisIdx, min, max) {
  const round = (v) => Number(v.toPrecision(12));
  const ticks = (multiples) => {
    const out = [];
    for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++) {
      for (const m of multiples) {
        const v = round(m * 10 ** k);
        if (v >= min && v <= max) out.push(v);
      }
    }
    return out;
  };
  const tens = ticks([1]);
  return tens.length >= 3 ? tens : ticks([1, 2, 5]);
}

/**
 * The page's charts in their places: the run's loss and accuracy curves, the sweep's two plots
 * and the students' cards' small curves (titles with the core's numbers, from its schema).
 */
export function pageCharts(schema) {
  const $ = (selector) => document.querySelector(selector);
  return {
    loss: new CurveChart($("#loss-chart"), { title: "Training loss (each student's own objective)", yLabel: "loss" }),
    accuracy: new CurveChart($("#accuracy-chart"), { title: `Test accuracy (first ${int(schema.live_eval_images)} test images, live)`, yLabel: "accuracy", yRange: [0, 1] }),
    sweepAccuracy: new SizeChart($("#sweep-accuracy"), { title: "Test accuracy for size", yLabel: "accuracy", format: (a) => pct(a, 1), int8: true }),
    sweepTime: new SizeChart($("#sweep-time"), { title: `Time per image (batch ${schema.throughput_batch}) for size`, yLabel: "time", format: ms, yLog: true }),
    sparks: Object.fromEntries(["distilled", "scratch"].map((m) => [m, new Spark($(`#card-${m} .spark`), m)])),
  };
}
