// Sharing an experiment: a link to its settings, and an iframe snippet to embed it (url-state.js
// writes and reads the links). Shown selected in a box and copied where the browser allows.

import { PANELS, writeHash } from "./url-state.js";

const $ = (selector) => document.querySelector(selector);

export class Sharing {
  /** `values()`: the form's settings; `preset()`: the preset they match, or null; `onCopied(label)`. */
  constructor({ values, preset, onCopied }) {
    this.values = values;
    this.preset = preset;
    this.onCopied = onCopied;
  }

  /** A link to these settings (and the preset they match). */
  link() {
    this.offer(pageUrl(writeHash(this.values(), this.presetKey())), "Link to these settings");
  }

  /** An iframe of this experiment without the page header, as tall as what it shows here. */
  embed() {
    const hidden = ["header"];
    const src = pageUrl(writeHash(this.values(), { ...this.presetKey(), embed: 1, hide: hidden.join(",") }));
    const shown = Object.entries(PANELS).filter(([name]) => !hidden.includes(name)).map(([, id]) => $(`#${id}`));
    const height = shown.reduce((sum, el) => sum + (el.hidden ? 0 : el.getBoundingClientRect().height + 16), 32);
    this.offer(`<iframe src="${src.replaceAll("&", "&amp;").replaceAll('"', "&quot;")}" title="webdistill: knowledge distillation" width="100%" height="${Math.ceil(height)}" style="border:0"></iframe>`, "Embed snippet");
  }

  presetKey() {
    const id = this.preset();
    return id ? { preset: id } : {};
  }

  /** Shows `text` (a link or a snippet) selected in a box, and copies it where the browser allows. */
  offer(text, label) {
    const box = $("#share-output");
    box.hidden = false;
    box.value = text;
    box.setAttribute("aria-label", label);
    box.select();
    history.replaceState(null, "", writeHash(this.values()));
    navigator.clipboard?.writeText(text).then(() => this.onCopied(label), () => {});
  }
}

function pageUrl(hash) {
  return `${location.origin}${location.pathname}${hash}`;
}
