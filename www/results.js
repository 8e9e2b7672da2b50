// Renders a comparison (the core's `Comparison`) as a table, bar charts and per-class accuracy.

import { BarChart } from "./charts.js";
import { downloadBytes } from "./export.js";
import { bytes, int, ms, pct, setting } from "./format.js";

const ROWS = [
  ["teacher", "Teacher"],
  ["distilled", "Distilled student"],
  ["scratch", "Student without teacher"],
];

export class ResultsView {
  constructor(root) {
    this.root = root;
    this.charts = {
      errors: new BarChart(root.querySelector("#bar-errors"), { title: "Test errors (of 10,000)", format: int }),
      bytes: new BarChart(root.querySelector("#bar-bytes"), { title: "Size (bytes)", format: bytes }),
      speed: new BarChart(root.querySelector("#bar-latency"), { title: "Time per image", format: ms }),
    };
  }

  show(c, backend) {
    this.root.hidden = false;
    const rows = ROWS.map(([key, name]) => [key, name, c[key]]);
    const table = this.root.querySelector("#results-table tbody");
    table.replaceChildren(
      ...rows.map(([key, name, r]) => {
        const tr = document.createElement("tr");
        tr.dataset.model = key;
        const cells = r
          ? [name, r.architecture, pct(r.accuracy), int(r.errors), int(r.params), bytes(r.bytes), ms(r.ms_per_image), `${r.speedup.toFixed(1)}×`]
          : [name, "no labeled examples: nothing to learn from", "–", "–", "–", "–", "–", "–"];
        tr.append(...cells.map((text) => cell(text)));
        return tr;
      }),
    );
    const loss = lossName(c.settings.objective);
    this.root.querySelector("#results-caption").textContent =
      `${backend} · ${loss} · transfer set of ${int(c.transfer_size)} (${int(c.labeled)} labeled) · ${int(c.steps)} steps each. ` +
      `Accuracy and errors on the full ${int(c.teacher.evaluation.total)}-image test set; time per image at batch ${c.teacher.latency.at(-1).batch_size}, ` +
      `median of ${c.teacher.latency.at(-1).repeats} runs after warm-up.`;
    const values = (f) => rows.map(([, , r]) => (r ? f(r) : null));
    this.charts.errors.show(values((r) => r.errors));
    this.charts.bytes.show(values((r) => r.bytes));
    this.charts.speed.show(values((r) => r.ms_per_image));
    this.showPerClass(rows);
    this.showQuantized(c.quantized);
  }

  showQuantized(reports) {
    const names = { f32: "f32 (as trained)", f16: "f16", int8: "int8" };
    this.root.querySelector("#quantized-table tbody").replaceChildren(
      ...reports.map((q) => {
        const tr = document.createElement("tr");
        tr.dataset.precision = q.precision;
        tr.append(...[names[q.precision], bytes(q.bytes), pct(q.accuracy), int(q.errors), q.max_weight_error.toExponential(1)].map(cell));
        return tr;
      }),
    );
  }

  /** Buttons for each student's weights and card (`files`: role → {weights, card, name}). */
  showStudentFiles(files) {
    const label = { distilled: "Distilled student", scratch: "Student without teacher" };
    const buttons = [];
    for (const [role, f] of Object.entries(files)) {
      const weights = button(`${label[role]}: weights (${bytes(f.weights.length)})`, `download-${role}-weights`, () =>
        downloadBytes(`${f.name}.safetensors`, f.weights, "application/octet-stream"));
      const card = button(`${label[role]}: card (JSON)`, `download-${role}-card`, () => downloadBytes(`${f.name}.json`, f.card, "application/json"));
      buttons.push(weights, card);
    }
    this.root.querySelector("#student-downloads").replaceChildren(...buttons);
  }

  showPerClass(rows) {
    const table = this.root.querySelector("#per-class tbody");
    table.replaceChildren(
      ...rows
        .filter(([, , r]) => r)
        .map(([key, name, r]) => {
          const tr = document.createElement("tr");
          tr.dataset.model = key;
          tr.append(cell(name), ...r.evaluation.per_class_accuracy.map((a) => {
            const td = cell(pct(a, 1));
            td.style.setProperty("--acc", a.toFixed(3));
            td.className = "heat";
            return td;
          }));
          return tr;
        }),
    );
  }
}

/** The loss as the results caption names it. */
function lossName(o) {
  const kd = () => `Hinton KD, T = ${setting(o.temperature)}, α = ${setting(o.alpha)}`;
  if (o.kind === "hinton") return kd();
  if (o.kind === "hint") return `${kd()} + FitNets hint, β = ${setting(o.beta)}`;
  if (o.kind === "logit_matching") return `logit matching, α = ${setting(o.alpha)}`;
  return "labels";
}

function button(text, id, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "secondary";
  b.id = id;
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}
