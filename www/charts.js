// Charts, through uPlot (vendored from npm at build time): live curves that grow a point at a
// time, the cards' small curves, and the sweep's accuracy-for-size and time-for-size plots. The
// page imports this module lazily: a chart library that cannot load is a notice, not a dead page.
// Colours come from the page's CSS variables, so charts follow the light or dark scheme.

import uPlot from "./generated/vendor/uPlot.esm.js";

const sheet = document.createElement("link");
sheet.rel = "stylesheet";
sheet.href = new URL("./generated/vendor/uPlot.min.css", import.meta.url).href;
document.head.append(sheet);

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const theme = () => ({
  teacher: css("--c-teacher"), distilled: css("--c-distilled"), scratch: css("--c-scratch"),
  fg: css("--fg"), muted: css("--muted"), grid: css("--line"),
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

  /** Adds both students' values (null for none) at `step`. */
  add(step, distilled, scratch) {
    this.points[0].push(step);
    this.points[1].push(distilled);
    this.points[2].push(scratch);
    this.plot.setData(this.points);
    // How many points are drawn, for a test (or anyone) to read without looking into the canvas.
    this.el.dataset.points = String(this.count);
  }

  /** How many points have been drawn. */
  get count() {
    return this.points[0].length;
  }
}

/** A card's small curve: one model's live accuracy (or the teacher's labelling progress), no axes. */
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
 * A sweep plot against model size (bytes, log scale): lines for the distilled and the scratch
 * students, markers for the int8 copies, and the teacher as a point. `measure(model)` picks the
 * y value from a row's model.
 */
export class SizeChart extends Chart {
  constructor(el, { title, yLabel, format, int8 = false }) {
    super(el);
    Object.assign(this, { title, yLabel, format, int8 });
    this.rows = [];
    this.teacher = null;
    this.redraw();
  }

  size() {
    return { width: width(this.el, 260, 720), height: 260 };
  }

  options(t) {
    const dots = (stroke, size = 7) => ({ stroke, fill: stroke, width: 0, paths: () => null, points: { show: true, size, fill: stroke } });
    const series = [
      {},
      { label: "distilled", stroke: t.distilled, width: 2, points: { show: true, size: 6 } },
      { label: "without teacher", stroke: t.scratch, width: 2, points: { show: true, size: 6 } },
      { label: "teacher", ...dots(t.teacher, 10) },
    ];
    if (this.int8) series.push({ label: "distilled, as int8", ...dots(t.distilled, 6), points: { show: true, size: 6, fill: "transparent" } });
    return {
      mode: 2,
      title: this.title,
      scales: { x: { time: false, distr: 3 }, y: {} },
      axes: [axis(t, "size (bytes, log scale)", { values: (u, ticks) => ticks.map(short) }), axis(t, this.yLabel, { values: (u, ticks) => ticks.map(this.format), size: 70 })],
      series,
    };
  }

  data() {
    const xy = (points) => [points.map((p) => p[0]), points.map((p) => p[1])];
    const data = [
      null,
      xy(this.rows.map((r) => [r.bytes, r.distilled])),
      xy(this.rows.filter((r) => r.scratch != null).map((r) => [r.bytes, r.scratch])),
      xy(this.teacher ? [[this.teacher.bytes, this.teacher.value]] : []),
    ];
    if (this.int8) data.push(xy(this.rows.filter((r) => r.int8Bytes != null).map((r) => [r.int8Bytes, r.int8])));
    return data;
  }

  /** `rows`: [{bytes, distilled, scratch, int8Bytes, int8}]; `teacher`: {bytes, value}. */
  show(rows, teacher) {
    this.rows = rows;
    this.teacher = teacher;
    this.plot.setData(this.data());
    this.el.dataset.points = String(rows.length);
    this.el.dataset.teacher = String(Boolean(teacher));
  }
}

const short = (n) => (n >= 1e6 ? `${n / 1e6} MB` : n >= 1e3 ? `${n / 1e3} KB` : `${n} B`);
