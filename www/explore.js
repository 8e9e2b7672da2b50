// The explorer panels: a test image's probabilities under a temperature slider (the dark
// knowledge), and a canvas to draw a digit on. They ask the worker for every number and only
// draw what comes back.

import { ms, pct } from "./format.js";

const MODEL_NAMES = { teacher: "Teacher", distilled: "Distilled student", scratch: "Student without teacher" };
const TEST_SIZE = 10_000;

export class Explorer {
  /** `send(message)` posts to the worker. */
  constructor(send) {
    this.send = send;
    this.$ = (s) => document.querySelector(s);
    this.index = 0;
    this.hard = [];
    this.hardNext = 0;
    this.drawn = false;
    this.drawBusy = false;
    this.drawPending = false;
    this.wireSample();
    this.wireCanvas();
  }

  /** The worker has the teacher and the test set: show the first image. */
  ready() {
    this.$("#explore").hidden = false;
    this.$("#draw").hidden = false;
    this.inspect(this.index);
  }

  /** A run finished and its students were kept: ask again so they join the teacher. */
  studentsChanged() {
    this.inspect(this.index);
    if (this.drawn) this.predictDrawing();
  }

  inspect(index) {
    this.index = index;
    this.$("#sample-index").value = String(index);
    this.send({ type: "inspect", index });
  }

  showInspection({ prediction, temperature }) {
    drawGrey(this.$("#sample-image"), prediction.pixels);
    this.$("#sample-label").textContent = `Test image ${prediction.index}: a ${prediction.label}.`;
    this.$("#temperature-value").textContent = String(temperature);
    renderBars(this.$("#sample-bars"), prediction.outputs, { label: prediction.label, temperature });
  }

  showHard(indices) {
    this.$("#sample-hard").disabled = false;
    this.hard = indices;
    this.hardNext = 0;
    this.nextHard();
  }

  hardFailed(message) {
    this.$("#sample-hard").disabled = false;
    this.$("#sample-label").textContent = message;
  }

  nextHard() {
    if (!this.hard.length) return;
    this.inspect(this.hard[this.hardNext % this.hard.length]);
    this.hardNext += 1;
  }

  showDrawing(prediction) {
    this.drawBusy = false;
    this.$("#draw-status").textContent = "";
    drawGrey(this.$("#draw-preview"), prediction.pixels);
    renderBars(this.$("#draw-bars"), prediction.outputs, { timed: true });
    if (this.drawPending) this.predictDrawing();
  }

  /** A drawing request failed: say why beside the pad, and let the next stroke try again. */
  drawFailed(message) {
    this.drawBusy = false;
    this.$("#draw-status").textContent = message;
  }

  wireSample() {
    const slider = this.$("#temperature-slider");
    slider.addEventListener("input", () => this.send({ type: "temperature", temperature: Number(slider.value) }));
    const index = this.$("#sample-index");
    index.addEventListener("change", () => {
      const n = Number(index.value);
      if (Number.isInteger(n) && n >= 0 && n < TEST_SIZE) this.inspect(n);
      else index.value = String(this.index);
    });
    this.$("#sample-random").addEventListener("click", () => this.inspect(Math.floor(Math.random() * TEST_SIZE)));
    this.$("#sample-hard").addEventListener("click", () => {
      if (this.hard.length) return this.nextHard();
      // The teacher reads all 10,000 test images once: seconds, a minute on a software GPU.
      this.$("#sample-hard").disabled = true;
      this.$("#sample-label").textContent = "Finding the test images the teacher finds hardest…";
      this.send({ type: "hard" });
    });
  }

  wireCanvas() {
    const canvas = this.$("#draw-canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    // A stroke about as wide, relative to the digit, as MNIST's pen (2–3 px in the 20 px box).
    ctx.lineWidth = canvas.width / 13;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
    ctx.fillStyle = "#000";
    let last = null;
    const point = (e) => {
      const r = canvas.getBoundingClientRect();
      return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
    };
    canvas.addEventListener("pointerdown", (e) => {
      canvas.setPointerCapture(e.pointerId);
      last = point(e);
      // A tap leaves a dot (a zero-length line draws nothing).
      ctx.beginPath();
      ctx.arc(...last, ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      this.drawn = true;
      this.predictDrawing();
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!last) return;
      const p = point(e);
      this.stroke(ctx, last, p);
      last = p;
    });
    const end = () => {
      if (!last) return;
      last = null;
      this.predictDrawing();
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    this.$("#draw-clear").addEventListener("click", () => {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      this.drawn = false;
      this.$("#draw-bars").replaceChildren();
      this.$("#draw-status").textContent = "";
      this.$("#draw-preview").getContext("2d").clearRect(0, 0, 28, 28);
    });
  }

  stroke(ctx, from, to) {
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
    this.drawn = true;
    this.predictDrawing();
  }

  /** Sends the canvas, at most one request in flight (the latest drawing follows the answer). */
  predictDrawing() {
    if (!this.drawn) return;
    if (this.drawBusy) {
      this.drawPending = true;
      return;
    }
    this.drawBusy = true;
    this.drawPending = false;
    const canvas = this.$("#draw-canvas");
    const image = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    this.send({ type: "draw", rgba: image.data, width: canvas.width, height: canvas.height });
  }
}

/** Grey bytes (0 = background) drawn dark on light into a 28×28 canvas. */
function drawGrey(canvas, pixels) {
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(28, 28);
  pixels.forEach((p, i) => {
    image.data.set([255 - p, 255 - p, 255 - p, 255], i * 4);
  });
  ctx.putImageData(image, 0, 0);
}

/** A probability as text: tiny ones in scientific notation, so the dark knowledge shows. */
function prob(p) {
  if (p >= 0.001) return pct(p, p >= 0.1 ? 1 : 2);
  if (p === 0) return "0";
  return `${(p * 100).toExponential(1)}%`;
}

/** One block per model: its prediction, then a bar per digit. */
function renderBars(root, outputs, { label = null, temperature = null, timed = false } = {}) {
  root.replaceChildren(
    ...outputs.map((o) => {
      const block = document.createElement("div");
      block.className = "probs";
      block.dataset.model = o.model;
      const title = document.createElement("h4");
      const at = temperature != null ? ` at T = ${temperature}` : "";
      title.textContent = `${MODEL_NAMES[o.model]}: ${o.predicted}${at}${timed ? ` · ${ms(o.ms)} (mean of ${o.runs})` : ""}`;
      block.append(title);
      o.probabilities.forEach((p, digit) => {
        const row = document.createElement("div");
        row.className = "prob-row";
        if (digit === label) row.classList.add("truth");
        const name = document.createElement("span");
        name.textContent = String(digit);
        const track = document.createElement("span");
        track.className = "prob-track";
        const fill = document.createElement("span");
        fill.className = "prob-fill";
        fill.style.width = `${(p * 100).toFixed(2)}%`;
        track.append(fill);
        const value = document.createElement("span");
        value.className = "prob-value";
        value.textContent = prob(p);
        row.append(name, track, value);
        block.append(row);
      });
      return block;
    }),
  );
}
