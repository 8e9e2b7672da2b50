// The experiments as one-click choices (the core's presets: src/settings/presets.rs) and their
// table: what each does, what the paper found, and what this page found when it ran it.

import { int } from "./format.js";

export class PresetsView {
  /** `onChoose(id)` applies a preset to the form. */
  constructor(chips, table, presets, onChoose) {
    this.chips = chips;
    this.table = table;
    this.ours = {};
    chips.replaceChildren(...presets.map((p) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "chip";
      b.dataset.preset = p.id;
      b.textContent = p.name;
      b.title = p.what;
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => onChoose(p.id));
      return b;
    }));
    table.querySelector("tbody").replaceChildren(...presets.map((p) => {
      const tr = document.createElement("tr");
      tr.dataset.preset = p.id;
      const cells = [p.name, p.what, p.paper, "not run yet"].map((text) => {
        const td = document.createElement("td");
        td.textContent = text;
        return td;
      });
      cells[3].className = "ours";
      tr.append(...cells);
      return tr;
    }));
  }

  /** Marks the chip of the preset the form matches (none when the settings are the user's own). */
  mark(id) {
    for (const b of this.chips.querySelectorAll(".chip")) b.setAttribute("aria-pressed", String(b.dataset.preset === id));
  }

  /** Our figure for a finished run of preset `id` (and a bias shift, for omit-3). */
  record(id, c, shift = null) {
    this.ours[id] = ourFigure(id, c, shift);
    this.table.querySelector(`tr[data-preset="${id}"] .ours`).textContent = this.ours[id];
  }
}

/** Where a bias shift's amount came from (the core says which), in words. */
export function shiftSource(shift) {
  if (shift.source === "fitted") return `fitted on ${int(shift.fitted_on)} held-out training images`;
  return shift.source === "paper" ? "the paper's amount" : "given";
}

/** Our figure for a finished run of a preset: the counterpart of the paper's sentence. */
function ourFigure(id, c, shift) {
  const scratch = c.scratch ? `${int(c.scratch.errors)} alone` : "none alone (no labels)";
  let text = `teacher ${int(c.teacher.errors)} errors; student ${scratch}, distilled ${int(c.distilled.errors)}`;
  if (id === "omit-3") {
    const e = c.distilled.evaluation;
    text += `, ${int(e.per_class_errors[3])} of them on the ${int(e.per_class_total[3])} 3s`;
    if (shift) text += `; 3s' bias +${shift.delta.toFixed(1)} (${shiftSource(shift)}): ${int(shift.after.errors)} errors, ${int(shift.after.class_errors)} on 3s`;
  }
  return `${text}.`;
}
