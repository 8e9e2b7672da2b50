// Renders a comparison (the core's `Comparison`) as a table, bar charts and per-class accuracy.

import { BarChart } from "./charts.js";
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
    const objective = c.settings.objective;
    const loss = objective.kind === "hinton" ? `Hinton KD, T = ${setting(objective.temperature)}, α = ${setting(objective.alpha)}` : objective.kind === "logit_matching" ? `logit matching, α = ${setting(objective.alpha)}` : "labels";
    this.root.querySelector("#results-caption").textContent =
      `${backend} · ${loss} · transfer set of ${int(c.transfer_size)} (${int(c.labeled)} labeled) · ${int(c.steps)} steps each. ` +
      `Accuracy and errors on the full ${int(c.teacher.evaluation.total)}-image test set; time per image at batch ${c.teacher.latency.at(-1).batch_size}, ` +
      `median of ${c.teacher.latency.at(-1).repeats} runs after warm-up.`;
    const values = (f) => rows.map(([, , r]) => (r ? f(r) : null));
    this.charts.errors.show(values((r) => r.errors));
    this.charts.bytes.show(values((r) => r.bytes));
    this.charts.speed.show(values((r) => r.ms_per_image));
    this.showPerClass(rows);
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

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}
