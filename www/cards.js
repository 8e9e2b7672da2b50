// The first screen's three model cards: teacher, distilled student, student without teacher. They
// show each model's architecture and size before a run, fill in live accuracy and a small curve
// during it, and the measured accuracy, size and time, with the ratios to the teacher, at the end.
// Every number comes from the worker; this file only writes it out.

import { bytes, int, pct, time, times } from "./format.js";

const MODELS = ["teacher", "distilled", "scratch"];

/**
 * Each card's measures (architecture, accuracy, size, time, ratio) from one template: every
 * `[data-measures]` placeholder becomes a copy, keeping the rows it holds after the copy's own.
 */
function fillMeasures(root, template) {
  for (const placeholder of root.querySelectorAll("[data-measures]")) {
    const measures = template.content.cloneNode(true);
    measures.querySelector("dl").append(...placeholder.children);
    placeholder.replaceWith(measures);
  }
}

export class ModelCards {
  /** `sparks`: model → a Spark chart (or null when charts could not load). */
  constructor(root, sparks = {}) {
    this.root = root;
    this.sparks = sparks;
    this.card = (model) => root.querySelector(`#card-${model}`);
    fillMeasures(root, root.querySelector("#model-card-measures"));
  }

  set(model, field, text) {
    this.card(model).querySelector(`.${field}`).textContent = text;
  }

  /** The teacher as its card describes it (accuracy measured when it was trained and stored). */
  teacher(card) {
    this.set("teacher", "calibration", "after a run");
    this.set("teacher", "arch", card.summary); // "CNN …", or "ensemble of N CNNs (…)"
    this.set("teacher", "accuracy", `${pct(card.test_accuracy)} (${int(card.test_errors)} errors, on its card)`);
  }

  /** The chooser of bundled teachers on the teacher's card; `onChoose(id)` when one is picked. */
  teachers(list, onChoose) {
    this.all = list;
    this.card("teacher").querySelector(".choice select").addEventListener("change", (e) => onChoose(e.target.value));
  }

  /** Offers the bundled teachers of task `key` (and one's own, if loaded). */
  teachersOf(key) {
    this.list = this.all.filter((t) => t.task === key);
    const select = this.card("teacher").querySelector(".choice select");
    const own = [...select.options].filter((o) => !this.all.some((t) => t.id === o.value));
    select.replaceChildren(...this.list.map((t) => new Option(t.name, t.id)), ...own);
  }

  /** Offers (a name) or withdraws (null) the teacher of one's own, as the choice `id`. */
  ownTeacher(id, name) {
    this.own = name;
    const select = this.card("teacher").querySelector(".choice select");
    select.querySelector(`option[value="${id}"]`)?.remove();
    if (name) select.append(new Option(`Yours: ${name}`, id));
    this.card("teacher").querySelector("#own-teacher-remove").hidden = !name;
  }

  /** Shows `id` as the chosen teacher, with why one would choose it. */
  teacherChoice(id) {
    const t = this.list?.find((t) => t.id === id);
    const select = this.card("teacher").querySelector(".choice select");
    if (t) {
      select.value = id;
      this.set("teacher", "about", t.about);
    } else if (this.own && select.querySelector(`option[value="${id}"]`)) {
      select.value = id;
      this.set("teacher", "about", `Your own teacher, from its files (${this.own}).`);
    }
  }

  /** The teacher's time per image on this backend, once measured (null: being measured). */
  teacherLatency(latency) {
    if (!latency) return void this.set("teacher", "time", "measuring…");
    const l = latency.at(-1);
    this.set("teacher", "time", `${time(l.ms_per_image, l.resolved)} at batch ${l.batch_size}`);
  }

  /** What a run of the current settings will compare: architectures and sizes. */
  plan(plan) {
    this.set("teacher", "size", `${bytes(plan.teacher.bytes)} · ${int(plan.teacher.params)} parameters`);
    for (const model of ["distilled", "scratch"]) {
      this.set(model, "arch", `${plan.student.architecture}${model === "distilled" && plan.assistant ? `, taught through a ${plan.assistant.architecture} assistant` : ""}`);
      this.set(model, "size", `${bytes(plan.student.bytes)} · ${int(plan.student.params)} parameters`);
      this.set(model, "ratio", `${times(plan.student.times_smaller)} smaller than the teacher`);
    }
  }

  /** A new run: clear the students' results and curves. */
  reset() {
    for (const model of ["distilled", "scratch"]) {
      this.set(model, "accuracy", "–");
      this.set(model, "time", "–");
      this.card(model).classList.remove("done");
      this.sparks[model]?.reset();
    }
    this.labelling(null);
  }

  /** The teacher's labelling: the fraction done, or null to hide the bar. */
  labelling(fraction) {
    const bar = this.card("teacher").querySelector(".labelling");
    bar.hidden = fraction == null;
    if (fraction != null) bar.querySelector("progress").value = fraction;
  }

  /** A slice of the run: live accuracy (on the first `liveImages` test images) and the curves. */
  progress(update) {
    if (update.phase === "labelling") this.labelling(update.labelled / update.to_label);
    for (const model of ["distilled", "scratch"]) {
      const r = update[model];
      if (r?.live_accuracy == null) continue;
      this.set(model, "accuracy", `${pct(r.live_accuracy, 1)} so far (live, first ${int(this.liveImages)} test images)`);
      this.sparks[model]?.add(r.step, r.live_accuracy);
    }
  }

  /** The measured comparison: every card's accuracy, size and time, with ratios to the teacher. */
  result(c) {
    for (const model of MODELS) {
      const r = c[model];
      const card = this.card(model);
      if (!r) {
        this.set(model, "accuracy", "no labeled examples: nothing to learn from");
        continue;
      }
      this.set(model, "arch", r.architecture);
      this.set(model, "accuracy", `${pct(r.accuracy)} (${int(r.errors)} errors of ${int(r.evaluation.total)})`);
      this.set(model, "size", `${bytes(r.bytes)} · ${int(r.params)} parameters`);
      const shared = r.time_shared ? " · timed once for both twins" : "";
      this.set(model, "time", `${time(r.ms_per_image, r.ms_per_image_resolved)} at batch ${r.latency.at(-1).batch_size}${shared}`);
      if (model !== "teacher") this.set(model, "ratio", ratios(r));
      else this.set(model, "calibration", sureness(r.evaluation));
      card.classList.add("done");
    }
  }
}

/** "99.1% sure on average · calibration error 0.4%": how sure a model is, from its evaluation. */
export function sureness(e) {
  return `${pct(e.mean_confidence, 1)} sure on average · calibration error ${pct(e.calibration_error, 1)}`;
}

/** "10.8× smaller · 130× faster · 2.1 points less accurate than the teacher". */
function ratios(r) {
  const faster = r.speedup == null ? "speed-up not resolved by this browser's clock" : `${times(r.speedup)} faster`;
  const points = Math.abs(r.accuracy_gap * 100).toFixed(1);
  const accuracy = r.accuracy_gap >= 0 ? `${points} points less accurate` : `${points} points more accurate`;
  return `${times(r.times_smaller)} smaller · ${faster} · ${accuracy} than the teacher`;
}

/** The result in one sentence, from its numbers. */
export function story(c) {
  const d = c.distilled;
  const parts = [`The distilled student is ${times(d.times_smaller)} smaller than the teacher`];
  if (d.speedup != null) parts.push(`${times(d.speedup)} faster per image`);
  let text = `${parts.join(" and ")}, at ${pct(d.accuracy)} to the teacher's ${pct(c.teacher.accuracy)}.`;
  if (c.scratch) {
    text += d.accuracy > c.scratch.accuracy
      ? ` Without the teacher, the same student, learning from the ${int(c.labeled)} labels alone, reaches only ${pct(c.scratch.accuracy)}.`
      : ` Without the teacher, the same student did as well or better (${pct(c.scratch.accuracy)}): here the soft targets did not help.`;
  }
  if (c.soft_targets === "cached") text += " The teacher's soft targets were reused from the previous run on the same images.";
  return text;
}
