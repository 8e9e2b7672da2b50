// Presets: the transfer-set experiments of Hinton, Vinyals & Dean 2015 §3, sized to run in a
// browser tab, each beside the paper's own figure. A preset only fills the settings form; every
// "ours" number comes from a run on this page.

import { int } from "./format.js";
import { FIELDS } from "./settings.js";

const PAPER = "Hinton, Vinyals & Dean 2015";
/** How far §3 raised the 3s' bias in the student trained without 3s. */
export const PAPER_BIAS_SHIFT = 3.5;

/** id → {name, what, values (form fields; the rest take their defaults), paper}. */
export const PRESETS = {
  "few-labels": {
    name: "Few labels (page default)",
    what: "10,000 images, 300 keep their labels: the student without a teacher has 300 examples, the distilled one also hears the teacher on the other 9,700.",
    values: {},
    paper: "Not in the paper's MNIST section: it is where soft targets help most, so the page starts here.",
  },
  "small-student": {
    name: "Small student (§3)",
    what: "Hinton's 800-800 student on all 60,000 labeled images, soft targets at T = 20.",
    values: { hidden: "800,800", temperature: "20", size: "60000", labeled: "60000", epochs: "3" },
    paper: `${PAPER} §3: the 800-800 net alone makes 146 test errors; distilled at T = 20 from a 1200-1200 teacher (67 errors), 74.`,
  },
  "no-labels": {
    name: "Soft targets only",
    what: "No image keeps its label (α = 1): everything the student learns comes from the teacher's probabilities. No scratch student can be trained.",
    values: { hidden: "800,800", alpha: "1", size: "10000", labeled: "0", epochs: "3" },
    paper: `No MNIST figure in ${PAPER}; its §5 (speech) trains on soft targets from 3% of the data: 57.0% frame accuracy, against 44.5% from hard targets.`,
  },
  "omit-3": {
    name: "Omit the 3s (§3)",
    what: "No 3 in the transfer set: the distilled student has never seen one. 3,000 training images are held out to fit the 3s' bias on afterwards.",
    values: { hidden: "800,800", temperature: "20", size: "50000", labeled: "50000", omit: "3", holdout: "3000", epochs: "2" },
    paper: `${PAPER} §3: 206 test errors, 133 of them on the 1,010 3s; with the 3s' bias raised by 3.5, 109 errors, 14 on 3s.`,
  },
};

/** Where a bias shift's amount came from, in words. */
export function shiftSource(shift) {
  if (shift.fitted_on != null) return `fitted on ${int(shift.fitted_on)} held-out training images`;
  return shift.delta === PAPER_BIAS_SHIFT ? "the paper's amount" : "given";
}

/** The form values of preset `id`: its own, and every other field's default. */
export function presetValues(id) {
  const values = Object.fromEntries(FIELDS.map((f) => [f.id, f.value]));
  return { ...values, ...PRESETS[id].values };
}

/** Our figure for a finished run of a preset: the counterpart of the paper's sentence. */
export function ourFigure(id, c, shift = null) {
  const scratch = c.scratch ? `${int(c.scratch.errors)} alone` : "none alone (no labels)";
  let text = `teacher ${int(c.teacher.errors)} errors; student ${scratch}, distilled ${int(c.distilled.errors)}`;
  if (id === "omit-3") {
    const e = c.distilled.evaluation;
    text += `, ${int(e.per_class_errors[3])} of them on the ${int(e.per_class_total[3])} 3s`;
    if (shift) text += `; 3s' bias +${shift.delta.toFixed(1)} (${shiftSource(shift)}): ${int(shift.after.errors)} errors, ${int(shift.after.class_errors)} on 3s`;
  }
  return `${text}.`;
}

/** The preset whose values the form holds exactly, if any. */
export function matchingPreset(formValues) {
  return Object.keys(PRESETS).find((id) => {
    const values = presetValues(id);
    return FIELDS.every((f) => String(values[f.id]).trim() === String(formValues[f.id]).trim());
  }) ?? null;
}
