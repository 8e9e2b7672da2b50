// The soft decision tree students drawn (Frosst & Hinton 2017, their Figure 2, live): each inner
// node's filter as an image in the tree's shape, the path the current image takes
// highlighted with each node's probability of going right, and the class distribution of the leaf
// it ends at. Distilled and scratch trees side by side. Every number comes from the worker
// (src/tree_drawing.rs); this file only draws.

import { className } from "./classes.js";
import { pct } from "./format.js";

/** Levels drawn in full; deeper ones show the path's nodes until "every level" is asked for. */
const FULL_LEVELS = 4;
const ROLES = { distilled: "Distilled tree", scratch: "Tree without the teacher" };

export class TreeView {
  constructor(root, onError) {
    this.root = root;
    this.onError = onError;
    this.client = null;
    this.pixels = null;
    this.everyLevel = false;
    this.latest = 0;
    root.querySelector("#tree-every-level").addEventListener("change", (e) => {
      this.everyLevel = e.target.checked;
      this.update(this.pixels);
    });
  }

  /** A new worker: no run is kept, nothing to draw. */
  reset() {
    this.client = null;
    this.root.hidden = true;
  }

  /** A run finished: show its trees, or (another kind of student) hide the section. */
  async runChanged(client, isTree) {
    this.client = isTree ? client : null;
    this.latest += 1; // an answer for the run before is dropped
    this.root.hidden = true;
    if (isTree) await this.update(this.pixels);
  }

  /** The image the explorer or the drawing pad shows now (grey bytes, a test image's size): its paths. */
  async update(pixels) {
    this.pixels = pixels;
    if (!this.client) return;
    const ticket = ++this.latest;
    try {
      const drawings = {};
      for (const role of Object.keys(ROLES)) {
        drawings[role] = await this.client.request("tree", { role, pixels: pixels ?? null });
      }
      if (ticket !== this.latest) return;
      this.root.hidden = !drawings.distilled;
      if (!drawings.distilled) return;
      const panels = this.root.querySelector(".tree-panels");
      panels.replaceChildren(...Object.entries(drawings).filter(([, d]) => d).map(([role, d]) => this.panel(role, d)));
    } catch (error) {
      if (ticket === this.latest && !/no finished run/.test(error.message)) this.onError(error);
    }
  }

  panel(role, d) {
    const panel = document.createElement("figure");
    panel.className = "tree-panel";
    panel.dataset.role = role;
    const caption = document.createElement("figcaption");
    caption.textContent = `${ROLES[role]} · depth ${d.depth}`;
    panel.append(caption);
    const onPath = new Set(d.path);
    const shown = this.everyLevel ? d.depth : Math.min(d.depth, FULL_LEVELS);
    for (let level = 0; level < d.depth; level++) {
      const row = document.createElement("div");
      row.className = "tree-level";
      const first = (1 << level) - 1;
      for (let node = first; node < first + (1 << level); node++) {
        if (level >= shown && !onPath.has(node)) continue;
        row.append(nodeView(d, node, onPath.has(node)));
      }
      panel.append(row);
    }
    if (d.leaf != null) panel.append(leafView(d.leaves[d.leaf], d.leaf, d.predicted));
    return panel;
  }
}

/** One inner node: its filter, and on the path its probability of going right. */
function nodeView(d, node, onPath) {
  const box = document.createElement("div");
  box.className = "tree-node";
  box.classList.toggle("on-path", onPath);
  const canvas = document.createElement("canvas");
  // A filter has a weight per pixel of the (square) image.
  canvas.width = canvas.height = Math.sqrt(d.filters[node].length);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `node ${node}'s filter`);
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(canvas.width, canvas.height);
  d.filters[node].forEach((g, i) => image.data.set([g, g, g, 255], i * 4));
  ctx.putImageData(image, 0, 0);
  box.append(canvas);
  if (d.right) {
    const p = document.createElement("span");
    p.className = "tree-p";
    p.textContent = `→ ${pct(d.right[node], 0)}`;
    p.title = `probability of going right at node ${node}`;
    box.append(p);
  }
  return box;
}

/** The leaf the path ends at: its class distribution as bars. */
function leafView(distribution, leaf, best) {
  const box = document.createElement("div");
  box.className = "tree-leaf";
  const title = document.createElement("p");
  title.textContent = `Leaf ${leaf}: ${className(best)} (${pct(distribution[best], 1)})`;
  box.append(title);
  const bars = document.createElement("div");
  bars.className = "tree-bars";
  distribution.forEach((p, digit) => {
    const bar = document.createElement("span");
    bar.style.height = `${(p * 100).toFixed(1)}%`;
    bar.title = `${className(digit)}: ${pct(p, 1)}`;
    bar.dataset.digit = String(digit);
    bars.append(bar);
  });
  box.append(bars);
  return box;
}
