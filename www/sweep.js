// The sweep's view: accuracy for size and time for size, one series per kind of student, as the
// rows arrive, and a table. The rows come from the core (src/sweep.rs); this file only lays them out.

import { bytes, int, pct, time } from "./format.js";

export class SweepView {
  /** `charts`: {accuracy, time} SizeCharts, or null when charts could not load. */
  constructor(root, charts) {
    this.root = root;
    this.charts = charts;
    this.$ = (s) => root.querySelector(s);
    this.result = null;
  }

  reset() {
    this.result = null;
    this.$("#sweep-table tbody").replaceChildren();
    this.$("#sweep-status").textContent = "Training students of every kind and several sizes, each distilled and without the teacher…";
    this.draw({ rows: [], teacher: null, left_out: [] });
  }

  /** A slice of the sweep: which student trains, and the rows so far. */
  progress(u) {
    const status = this.$("#sweep-status");
    if (u.waiting) status.textContent = "Waiting for the students without the teacher, training on a second core…";
    else status.textContent = `Student ${u.index + 1} of ${u.students.length} (${u.students[u.index]}): ${u.run.phase.replace("_", " ")}…`;
    if (u.rows.length === (this.result?.rows.length ?? 0)) return;
    this.result = { rows: u.rows, teacher: u.teacher, left_out: [] };
    this.draw(this.result);
  }

  /** The sweep ended (`stopped` when the user stopped it) on `workers` workers: keep what it found. */
  finish(result, stopped, workers = 1) {
    this.result = result;
    this.draw(result);
    const n = result.rows.length;
    const shared = workers > 1 ? " The students without the teacher trained on a second core." : "";
    const left = result.left_out?.length ? ` Left out: ${result.left_out.join("; ")}.` : "";
    this.$("#sweep-status").textContent = (stopped ? `Stopped after ${n} students; the points so far are kept.` : `Done: ${n} students.`) + shared + left;
  }

  draw(result) {
    const t = result.teacher;
    this.charts?.accuracy.show(
      result.rows.map((r) => ({ kind: r.kind, kindName: r.kind_name, bytes: r.bytes, distilled: r.distilled.accuracy, scratch: r.scratch?.accuracy, int8Bytes: r.int8_bytes, int8: r.int8_accuracy })),
      t && { bytes: t.bytes, value: t.accuracy },
    );
    this.charts?.time.show(
      result.rows.map((r) => ({ kind: r.kind, kindName: r.kind_name, bytes: r.bytes, distilled: r.distilled.ms_per_image, scratch: r.scratch?.ms_per_image })),
      t && { bytes: t.bytes, value: t.ms_per_image },
    );
    const rows = (t ? [["teacher", t.architecture, t.params, t.bytes, null, t.accuracy, null, time(t.ms_per_image, true)]] : [])
      .concat(result.rows.map((r) => ["student", r.architecture, r.params, r.bytes, r.int8_bytes, r.distilled.accuracy,
        r.scratch?.accuracy, time(r.distilled.ms_per_image, r.distilled.ms_per_image_resolved)]));
    this.$("#sweep-table tbody").replaceChildren(
      ...rows.map(([kind, arch, params, size, int8, distilled, scratch, perImage]) => {
        const tr = document.createElement("tr");
        tr.dataset.model = kind;
        const cells = [arch, int(params), bytes(size), int8 == null ? "–" : bytes(int8), pct(distilled), scratch == null ? "–" : pct(scratch), perImage];
        tr.append(...cells.map((text) => {
          const td = document.createElement("td");
          td.textContent = text;
          return td;
        }));
        return tr;
      }),
    );
    for (const id of ["#sweep-download-json", "#sweep-download-csv"]) this.$(id).disabled = result.rows.length === 0;
  }
}

