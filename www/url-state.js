// Settings in the URL (#hidden=64&temperature=4…), for sharing a run and embedding parts of the
// page in a lesson. Setting values are checked by the core like any typed into the form (a value
// it refuses is dropped with a notice); everything else is checked here against fixed lists.
// Nothing from the URL is ever written into the page as markup (notices use textContent).

/** Parts of the page an embed can leave out with hide=…, by their element ids. */
export const PANELS = { header: "page-header", experiment: "experiment", settings: "settings", curves: "curves",
  results: "results", explore: "explore", draw: "draw", sweep: "sweep", presets: "presets" };

/** How many characters of a value a message quotes: the core's limit, from the schema readHash gets. */
let maxShown = Infinity;
const shown = (text) => JSON.stringify(text.length > maxShown ? `${text.slice(0, maxShown)}…` : text);

/**
 * Reads `hash` ("#a=1&b=2") against the settings schema. Returns {values: {key: text}, embed,
 * autorun, keep (whether results are kept for the next visit: null when the link does not say),
 * hide: [panel], backend, preset, cores, problems: [text]}. Setting values are only taken
 * apart here; the core judges them.
 */
export function readHash(hash, schema) {
  maxShown = schema.max_value_shown;
  const out = { values: {}, embed: false, autorun: false, keep: null, hide: [], backend: null, preset: null, cores: null, problems: [] };
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const presets = schema.presets.map((p) => p.id);
  for (const [key, raw] of params) {
    const value = raw.trim();
    if (schema.settings.some((s) => s.key === key)) {
      out.values[key] = value;
    } else if (key === "embed" || key === "autorun" || key === "keep") {
      if (value === "1" || value === "0") out[key] = value === "1";
      else out.problems.push(`Ignored ${key}=${shown(value)} from the link: use 1 or 0.`);
    } else if (key === "hide") {
      for (const panel of value.split(",").filter(Boolean)) {
        if (Object.hasOwn(PANELS, panel)) out.hide.push(panel);
        else out.problems.push(`Ignored hide=${shown(panel)} from the link: parts are ${Object.keys(PANELS).join(", ")}.`);
      }
    } else if (key === "preset") {
      if (presets.includes(value)) out.preset = value;
      else out.problems.push(`Ignored preset=${shown(value)} from the link: presets are ${presets.join(", ")}.`);
    } else if (key === "cores") {
      // How many cores labelling may use (all by default): for measuring, and for a lesson
      // that wants to leave the machine some room.
      if (/^[1-9]\d{0,2}$/.test(value)) out.cores = Number(value);
      else out.problems.push(`Ignored cores=${shown(value)} from the link: use a whole number from 1.`);
    } else if (key === "backend") {
      if (["auto", "webgpu", "cpu"].includes(value)) out.backend = value;
      else out.problems.push(`Ignored backend=${shown(value)} from the link: use auto, webgpu or cpu.`);
    } else {
      out.problems.push(`Ignored the unknown link parameter ${shown(key)}.`);
    }
  }
  return out;
}

/** The link's message for a setting value the core refused. */
export const refusedFromLink = (key, value, message) => `Ignored ${key}=${shown(value)} from the link: ${message}`;

/** The hash for `values` (text by key) and any extra keys, e.g. {embed: 1}. */
export function writeHash(values, extra = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) params.set(k, v);
  for (const [k, v] of Object.entries(extra)) params.set(k, String(v));
  return `#${params.toString().replaceAll("%2C", ",")}`;
}
