// The settings form: one schema drives the fields, their one-line explanations, reading the
// values, and where the core's validation messages appear. The core (Rust) validates; this file
// only checks that a number field holds a number.

/** Every setting: id, label, explanation, input kind, default. */
export const FIELDS = [
  { id: "hidden", label: "Student hidden layers", kind: "list", value: "800,800",
    help: "Units of each hidden layer of the student MLP, comma-separated (Hinton's student: 800,800)." },
  { id: "loss", label: "Loss", kind: "select", value: "hinton",
    options: [["hinton", "Hinton KD (soft targets at temperature T)"], ["logits", "Logit matching (MSE)"],
      ["hint", "Hinton KD + FitNets hint (hidden layer)"]],
    help: "What the student matches: the teacher's softened probabilities, its raw logits, or its probabilities and its hidden layer (through a learned projection)." },
  { id: "temperature", label: "Temperature T", kind: "float", value: "4",
    help: "Softens both softmaxes; higher T exposes more of the teacher's small probabilities." },
  { id: "alpha", label: "α (soft-target weight)", kind: "float", value: "0.9",
    help: "Weight of the teacher's targets; 1 − α goes to the labels (where an example has one)." },
  { id: "beta", label: "β (hint weight)", kind: "float", value: "1",
    help: "FitNets hint only: weight of matching the student's last hidden layer to the teacher's (Romero et al. 2015)." },
  { id: "size", label: "Transfer set size", kind: "int", value: "10000",
    help: "Training images the students learn from (up to 60,000)." },
  { id: "labeled", label: "Labeled examples", kind: "int", value: "300",
    help: "How many of them keep their labels. The scratch student learns from these alone." },
  { id: "omit", label: "Digits left out", kind: "list", value: "",
    help: "Digits removed from the transfer set entirely, e.g. 3 (Hinton 2015 §3)." },
  { id: "holdout", label: "Held-out images", kind: "int", value: "0",
    help: "Training images set aside before the transfer set is drawn, to fit the class-bias shift on (not the test set)." },
  { id: "epochs", label: "Epochs", kind: "int", value: "2",
    help: "Passes over the transfer set; the scratch student takes as many steps." },
  { id: "learning_rate", label: "Learning rate", kind: "float", value: "0.001",
    help: "Adam's step size (1e-3 is the usual default)." },
  { id: "batch_size", label: "Batch size", kind: "int", value: "128",
    help: "Examples per training step." },
  { id: "seed", label: "Seed", kind: "int", value: "1",
    help: "Decides the transfer set, the initial weights and the batch order: same seed, same run." },
];

/** Where each setting name used in the core's messages is shown. */
const FIELD_OF = {
  "hidden layers": "hidden", temperature: "temperature", alpha: "alpha", epochs: "epochs",
  "batch size": "batch_size", "learning rate": "learning_rate", "transfer set size": "size",
  "labeled examples": "labeled", "omitted classes": "omit", holdout: "holdout", objective: "loss",
  beta: "beta",
};

/** Builds the form's rows inside `form`. */
export function buildForm(form) {
  for (const f of FIELDS) {
    const row = document.createElement("div");
    row.className = "field";
    const input = f.kind === "select" ? document.createElement("select") : document.createElement("input");
    input.id = `setting-${f.id}`;
    input.name = f.id;
    if (f.kind === "select") {
      for (const [value, text] of f.options) input.append(new Option(text, value));
    } else {
      input.type = "text";
      input.inputMode = f.kind === "list" ? "text" : "decimal";
      input.autocomplete = "off";
    }
    input.value = f.value;
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.textContent = f.label;
    const help = document.createElement("small");
    help.textContent = f.help;
    const error = document.createElement("span");
    error.className = "field-error";
    error.id = `error-${f.id}`;
    error.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", error.id);
    row.append(label, input, help, error);
    form.append(row);
  }
}

const parseList = (text) => (text === "" ? [] : text.split(",").map(Number));

/**
 * Reads the form. Returns {settings, errors}: `settings` in the core's DistillSettings shape,
 * `errors` the fields that do not hold a number where one is needed (their defaults stand in
 * for them in `settings`, which is then only good for checking the other fields).
 */
export function readForm(form) {
  const values = {};
  const errors = {};
  for (const f of FIELDS) {
    const raw = form.elements[f.id].value.trim();
    if (f.kind === "select") values[f.id] = raw;
    else if (f.kind === "list") {
      const parts = raw === "" ? [] : raw.split(",").map((s) => s.trim());
      if (parts.some((p) => !/^\d+$/.test(p))) errors[f.id] = "whole numbers separated by commas, e.g. 800,800";
      values[f.id] = errors[f.id] ? parseList(f.value) : parts.map(Number);
    } else {
      const n = Number(raw);
      if (raw === "" || !Number.isFinite(n)) errors[f.id] = "a number, please";
      else if (f.kind === "int" && !Number.isInteger(n)) errors[f.id] = "a whole number, please";
      else if (f.kind === "int" && n < 0) errors[f.id] = "not below 0";
      // A field in error contributes its default, so the core can still check the others.
      values[f.id] = errors[f.id] ? Number(f.value) : n;
    }
  }
  const objective = values.loss === "logits" ? { kind: "logit_matching", alpha: values.alpha }
    : values.loss === "hint" ? { kind: "hint", temperature: values.temperature, alpha: values.alpha, beta: values.beta }
    : { kind: "hinton", temperature: values.temperature, alpha: values.alpha };
  const settings = {
    student: { hidden: values.hidden },
    objective,
    epochs: values.epochs,
    batch_size: values.batch_size,
    learning_rate: values.learning_rate,
    seed: values.seed,
    transfer: { size: values.size, labeled: values.labeled, omit_classes: values.omit, holdout: values.holdout, seed: values.seed },
  };
  return { settings, errors };
}

/** Shows `errors` (id → text) and the core's `problems` ([{setting, message}]) beside fields. */
export function showProblems(form, errors, problems) {
  const byField = { ...errors };
  const general = [];
  for (const p of problems) {
    const id = FIELD_OF[p.setting];
    if (id && !byField[id]) byField[id] = p.message;
    else if (!id) general.push(p.message);
  }
  for (const f of FIELDS) {
    const text = byField[f.id] ?? "";
    form.querySelector(`#error-${f.id}`).textContent = text;
    form.elements[f.id].setAttribute("aria-invalid", text ? "true" : "false");
  }
  return general;
}
