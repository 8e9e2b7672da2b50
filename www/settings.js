// The settings form, built from the core's schema (every setting's key, label, kind, limits,
// default and help come from src/settings/schema.rs through the worker). The form holds text; the
// core parses and validates it, and its problems come back by key to sit beside their fields.

const GROUPS = { student: "The student", teacher: "What the teacher passes on", data: "The data", training: "Training" };

export class SettingsForm {
  constructor(form, schema) {
    this.form = form;
    this.specs = schema.settings;
    this.presets = schema.presets;
    this.defaultPreset = schema.default_preset;
    for (const [group, legend] of Object.entries(GROUPS)) {
      const set = document.createElement("fieldset");
      const title = document.createElement("legend");
      title.textContent = legend;
      set.append(title, ...this.specs.filter((s) => s.group === group).map(field));
      this.form.append(set);
    }
    this.form.elements.student?.addEventListener("change", () => this.showKindFields());
    this.showKindFields();
  }

  /** Shows the size settings of the chosen student kind only (the schema says whose each is). */
  showKindFields() {
    const kind = this.form.elements.student?.value;
    for (const s of this.specs.filter((s) => s.for_student)) {
      this.form.elements[s.key].closest(".field").hidden = s.for_student !== kind;
    }
  }

  /** The form's values: {key: text}. */
  values() {
    return Object.fromEntries(this.specs.map((s) => [s.key, this.form.elements[s.key].value.trim()]));
  }

  /** Sets the fields named in `values` (text by key). */
  set(values) {
    for (const [key, value] of Object.entries(values)) if (this.form.elements[key]) this.form.elements[key].value = value;
    this.showKindFields();
  }

  /** Every setting's default, as text. */
  defaults() {
    return Object.fromEntries(this.specs.map((s) => [s.key, s.default]));
  }

  /** The values of preset `id`: its own over every default. */
  presetValues(id) {
    const preset = this.presets.find((p) => p.id === id);
    return { ...this.defaults(), ...Object.fromEntries(preset.values) };
  }

  /** The preset whose values the form holds exactly, if any. */
  matchingPreset() {
    const now = this.values();
    return this.presets.find((p) => {
      const values = this.presetValues(p.id);
      return this.specs.every((s) => String(values[s.key]) === now[s.key]);
    })?.id ?? null;
  }

  /** Shows the core's problems ([{key, message}]) beside their fields; returns the others' messages. */
  showProblems(problems) {
    const byKey = {};
    const general = [];
    for (const p of problems) {
      if (p.key && this.form.elements[p.key] && !byKey[p.key]) byKey[p.key] = p.message;
      else general.push(p.message);
    }
    for (const s of this.specs) {
      const text = byKey[s.key] ?? "";
      this.form.querySelector(`#error-${s.key}`).textContent = text;
      this.form.elements[s.key].setAttribute("aria-invalid", text ? "true" : "false");
    }
    return general;
  }

  /** The label of setting `key`. */
  label(key) {
    return this.specs.find((s) => s.key === key)?.label ?? key;
  }
}

function field(spec) {
  const row = document.createElement("div");
  row.className = "field";
  const input = spec.kind === "choice" ? document.createElement("select") : document.createElement("input");
  input.id = `setting-${spec.key}`;
  input.name = spec.key;
  if (spec.kind === "choice") {
    for (const [value, text] of spec.choices) input.append(new Option(text, value));
  } else {
    input.type = "text";
    input.inputMode = spec.kind === "list" ? "text" : "decimal";
    input.autocomplete = "off";
  }
  input.value = spec.default;
  const label = document.createElement("label");
  label.htmlFor = input.id;
  label.textContent = spec.label;
  const help = document.createElement("small");
  help.id = `help-${spec.key}`;
  help.textContent = spec.help + limits(spec);
  const error = document.createElement("span");
  error.className = "field-error";
  error.id = `error-${spec.key}`;
  error.setAttribute("aria-live", "polite");
  input.setAttribute("aria-describedby", `${help.id} ${error.id}`);
  row.append(label, input, help, error);
  return row;
}

/** " (1 to 8,192)", or " (above 0, at most 1)", from the schema's limits, where a form should say them. */
function limits(spec) {
  if (spec.kind === "choice" || spec.min == null || spec.max == null) return "";
  const max = spec.max.toLocaleString("en-US");
  return spec.min_exclusive ? ` (above ${spec.min}, at most ${max})` : ` (${spec.min} to ${max})`;
}
