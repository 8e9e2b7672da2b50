// Settings in the URL (#hidden=800,800&temperature=4…), for sharing a run and embedding a panel
// in a lesson. Everything read from the URL is checked against the settings schema: unknown keys
// and malformed values are dropped with a notice, and nothing from the URL is ever written into
// the page as markup (notices use textContent).

import { PRESETS } from "./presets.js";
import { FIELDS } from "./settings.js";

/** Panels an embed can hide with hide=…, by their element ids. */
export const PANELS = { teacher: "teacher-card", settings: "settings", presets: "presets", explore: "explore", draw: "draw",
  progress: "progress", results: "results", header: "page-header" };

const NUMBER = { int: /^\d{1,9}$/, float: /^(\d{1,9}(\.\d{0,9})?|\.\d{1,9})(e-?\d{1,2})?$/i };
const LIST = /^(\d{1,6}(,\d{1,6}){0,7})?$/;
const MAX_VALUE_SHOWN = 40;

const shown = (text) => JSON.stringify(text.length > MAX_VALUE_SHOWN ? `${text.slice(0, MAX_VALUE_SHOWN)}…` : text);

/**
 * Reads `hash` ("#a=1&b=2"). Returns {values: {fieldId: text}, embed, autorun, hide: [panel],
 * backend, preset, problems: [text]}.
 */
export function readHash(hash) {
  const out = { values: {}, embed: false, autorun: false, hide: [], backend: null, preset: null, problems: [] };
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  for (const [key, raw] of params) {
    const value = raw.trim();
    const field = FIELDS.find((f) => f.id === key);
    if (field) {
      const ok = field.kind === "select" ? field.options.some(([v]) => v === value)
        : field.kind === "list" ? LIST.test(value) : NUMBER[field.kind].test(value);
      if (ok) out.values[key] = value;
      else out.problems.push(`Ignored ${key}=${shown(value)} from the link: not a valid ${field.label.toLowerCase()}.`);
    } else if (key === "embed" || key === "autorun") {
      if (value === "1" || value === "0") out[key] = value === "1";
      else out.problems.push(`Ignored ${key}=${shown(value)} from the link: use 1 or 0.`);
    } else if (key === "hide") {
      for (const panel of value.split(",").filter(Boolean)) {
        if (panel in PANELS) out.hide.push(panel);
        else out.problems.push(`Ignored hide=${shown(panel)} from the link: panels are ${Object.keys(PANELS).join(", ")}.`);
      }
    } else if (key === "preset") {
      if (Object.hasOwn(PRESETS, value)) out.preset = value;
      else out.problems.push(`Ignored preset=${shown(value)} from the link: presets are ${Object.keys(PRESETS).join(", ")}.`);
    } else if (key === "backend") {
      if (["auto", "webgpu", "cpu"].includes(value)) out.backend = value;
      else out.problems.push(`Ignored backend=${shown(value)} from the link: use auto, webgpu or cpu.`);
    } else {
      out.problems.push(`Ignored the unknown link parameter ${shown(key)}.`);
    }
  }
  return out;
}

/** The hash for the form's current settings (and any extra keys, e.g. {embed: 1}). */
export function writeHash(form, extra = {}) {
  const params = new URLSearchParams();
  for (const f of FIELDS) params.set(f.id, form.elements[f.id].value.trim());
  for (const [k, v] of Object.entries(extra)) params.set(k, String(v));
  return `#${params.toString().replaceAll("%2C", ",")}`;
}
