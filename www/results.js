// The comparison in full, below the cards: a table of every model, accuracy per digit, the
// distilled student at lower precisions, and the students' files to take away.

import { downloadBytes } from "./export.js";
import { backendName, bytes, int, pct, time, times } from "./format.js";

const ROWS = [
  ["teacher", "Teacher"],
  ["assistant", "Teacher assistant"],
  ["distilled", "Distilled student"],
  ["scratch", "Student without teacher"],
];

export class ResultsView {
  constructor(root) {
    this.root = root;
    this.$ = (s) => root.querySelector(s);
  }

  show(c) {
    this.root.hidden = false;
    const rows = ROWS.filter(([key]) => key !== "assistant" || c.assistant).map(([key, name]) => [key, name, c[key]]);
    this.$("#results-table tbody").replaceChildren(
      ...rows.map(([key, name, r]) => {
        const cells = r
          ? [name, r.architecture, pct(r.accuracy), int(r.errors), int(r.params), bytes(r.bytes),
            time(r.ms_per_image, r.ms_per_image_resolved), times(r.speedup)]
          : [name, "no labeled examples: nothing to learn from", "–", "–", "–", "–", "–", "–"];
        return row(key, cells);
      }),
    );
    const t = c.teacher.latency.at(-1);
    this.$("#results-caption").textContent =
      `${backendName(c.backend)} · ${c.loss} · transfer set of ${int(c.transfer_size)} (${int(c.labeled)} labeled) · ` +
      `${int(c.steps)} steps each · ${Math.round(c.seconds)} s in all. Accuracy and errors on the full ${int(c.teacher.evaluation.total)}-image ` +
      `test set; time per image at batch ${t.batch_size}, the median of ${t.windows} windows of calls timed together (this clock ticks every ${time(t.clock_ms, true)}).`;
    this.showPerClass(rows.filter(([, , r]) => r));
    this.showQuantized(c.quantized);
  }

  showQuantized(reports) {
    const names = { f32: "f32 (as trained)", f16: "f16", int8: "int8" };
    this.$("#quantized-table tbody").replaceChildren(
      ...reports.map((q) => row(q.precision, [names[q.precision], bytes(q.bytes), pct(q.accuracy), int(q.errors), q.max_weight_error.toExponential(1)], "precision")),
    );
  }

  /** Buttons for each student's files and card (`files`: role → {weights, onnx, tfjs, card, name}). */
  showStudentFiles(files) {
    const label = { distilled: "Distilled student", scratch: "Student without teacher" };
    const buttons = [];
    for (const [role, f] of Object.entries(files)) {
      buttons.push(
        button(`${label[role]}: weights (${bytes(f.weights.length)})`, `download-${role}-weights`, () =>
          downloadBytes(`${f.name}.safetensors`, f.weights, "application/octet-stream")),
        button(`${label[role]}: ONNX (${bytes(f.onnx.length)})`, `download-${role}-onnx`, () =>
          downloadBytes(`${f.name}.onnx`, f.onnx, "application/octet-stream")),
      );
      // TF.js: model.json names the weights file beside it; both are needed.
      if (f.tfjs) {
        buttons.push(
          button(`${label[role]}: TF.js model.json`, `download-${role}-tfjs-model`, () =>
            downloadBytes(f.tfjs.modelName, f.tfjs.model, "application/json")),
          button(`${label[role]}: TF.js weights (${bytes(f.tfjs.weights.length)})`, `download-${role}-tfjs-weights`, () =>
            downloadBytes(f.tfjs.weightsName, f.tfjs.weights, "application/octet-stream")),
        );
      }
      buttons.push(button(`${label[role]}: card (JSON)`, `download-${role}-card`, () => downloadBytes(`${f.name}.json`, f.card, "application/json")));
    }
    this.$("#student-downloads").replaceChildren(...buttons);
    this.showSnippets(files.distilled?.snippets ?? []);
  }

  /** "Use it": each runtime's lines for the distilled student's files, copied with one click. */
  showSnippets(snippets) {
    this.$("#use-it").replaceChildren(...snippets.map((s) => {
      const box = document.createElement("figure");
      box.className = "snippet";
      const caption = document.createElement("figcaption");
      caption.textContent = s.runtime;
      const pre = document.createElement("pre");
      pre.textContent = s.code;
      // Focusable, so a keyboard can scroll a long line into view.
      pre.tabIndex = 0;
      pre.setAttribute("aria-label", `${s.runtime} code`);
      const copy = document.createElement("button");
      copy.type = "button";
      copy.className = "secondary";
      copy.textContent = "Copy";
      copy.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(s.code);
          copy.textContent = "Copied";
        } catch {
          // No clipboard here (an insecure context, a denied permission): select it instead.
          getSelection().selectAllChildren(pre);
          copy.textContent = "Selected: copy with Ctrl+C";
        }
      });
      caption.append(" ", copy);
      box.append(caption, pre);
      return box;
    }));
  }

  showPerClass(rows) {
    this.$("#per-class tbody").replaceChildren(
      ...rows.map(([key, name, r]) => {
        const tr = row(key, [name]);
        tr.append(...r.evaluation.per_class_accuracy.map((a) => {
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

function row(key, cells, attribute = "model") {
  const tr = document.createElement("tr");
  tr.dataset[attribute] = key;
  tr.append(...cells.map(cell));
  return tr;
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
