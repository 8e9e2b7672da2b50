// The explorer panels: a test image's probabilities under a temperature slider (the dark
// knowledge), and a canvas to draw a digit on. They ask the worker for every number (one promise
// per request) and only draw what comes back.

import { className } from "./classes.js";
import { pct, time } from "./format.js";

const MODEL_NAMES = { teacher: "Teacher", distilled: "Distilled student", scratch: "Student without teacher" };

export class Explorer {
  /** `client` is the WorkerClient; `onError(message)` shows a failure that is not the explorer's own. */
  constructor(client, onError) {
    this.client = client;
    this.onError = onError;
    this.$ = (s) => document.querySelector(s);
    this.index = 0;
    /** How many images the worker's test split holds (the core says, once it has loaded it). */
    this.testImages = 0;
    this.temperature = 1;
    this.hard = [];
    this.hardNext = 0;
    this.drawn = false;
    this.drawBusy = false;
    this.drawPending = false;
    /** Bumped by Clear: an answer for a drawing made before it is dropped. */
    this.drawTicket = 0;
    // Each kind of request answers only if it is still the latest of its kind: a slow answer
    // for an image the user has moved past is dropped.
    this.latest = { inspect: 0, temperature: 0 };
    this.wireSample();
    this.wireCanvas();
  }

  /** The highest temperature the slider offers, as the core allows it. */
  setMaxTemperature(t) {
    this.$("#temperature-slider").max = String(t);
  }

  /** The worker's test split holds `n` images: the image index goes up to n - 1. */
  setTestImages(n) {
    this.testImages = n;
    this.$("#sample-index").max = String(n - 1);
  }

  /**
   * The image and temperature kept from a visit before ({index, temperature}), shown when the
   * worker is ready; anything out of range is ignored.
   */
  restore(kept) {
    const slider = this.$("#temperature-slider");
    const t = Number(kept?.temperature);
    if (Number.isInteger(kept?.index) && kept.index >= 0 && kept.index < this.testImages) this.index = kept.index;
    if (Number.isFinite(t) && t >= Number(slider.min) && t <= Number(slider.max)) {
      this.temperature = t;
      slider.value = String(t);
      this.$("#temperature-value").textContent = String(t);
    }
  }

  /** What the explorer shows, for `onState` (kept for the next visit). */
  state() {
    return { index: this.index, temperature: this.temperature };
  }

  /** The worker has the teacher and the test set: show the first image. */
  ready(client) {
    this.client = client;
    this.$("#explore").hidden = false;
    this.$("#draw").hidden = false;
    this.inspect(this.index);
  }

  /** The worker's data is another task's now: its hard examples, and its test image at the same index. */
  taskChanged() {
    this.hard = [];
    if (this.client) this.inspect(this.index);
  }

  /** A run finished and its students were kept: ask again so they join the teacher. */
  studentsChanged() {
    this.inspect(this.index);
    if (this.drawn) this.predictDrawing();
  }

  async inspect(index) {
    this.index = index;
    this.$("#sample-index").value = String(index);
    const ticket = ++this.latest.inspect;
    try {
      const prediction = await this.client.request("inspect", { index, t: this.temperature });
      if (ticket !== this.latest.inspect) return;
      drawGrey(this.$("#sample-image"), prediction.pixels);
      this.onImage?.(prediction.pixels);
      this.$("#sample-label").textContent = `Test image ${prediction.index}: a ${className(prediction.label)}.`;
      this.label = prediction.label;
      this.showProbabilities(prediction.outputs);
      this.onState?.(this.state());
    } catch (error) {
      if (ticket === this.latest.inspect) this.onError(error);
    }
  }

  async setTemperature(t) {
    this.temperature = t;
    this.$("#temperature-value").textContent = String(t);
    const ticket = ++this.latest.temperature;
    const outputs = await this.client.request("temperature", { t }).catch(this.onError);
    if (outputs && ticket === this.latest.temperature) {
      this.showProbabilities(outputs);
      this.onState?.(this.state());
    }
  }

  showProbabilities(outputs) {
    renderBars(this.$("#sample-bars"), outputs, { label: this.label, temperature: this.temperature });
  }

  async findHard() {
    if (this.hard.length) return this.nextHard();
    // The teacher reads all 10,000 test images once: seconds, a minute on a software GPU.
    this.$("#sample-hard").disabled = true;
    this.$("#sample-label").textContent = "Finding the test images the teacher finds hardest…";
    try {
      this.hard = await this.client.request("hard");
      this.hardNext = 0;
      this.nextHard();
    } catch (error) {
      this.$("#sample-label").textContent = error.message;
    } finally {
      this.$("#sample-hard").disabled = false;
    }
  }

  /** One row of "how the teacher sees each digit" for the teacher loaded now, at the slider's T. */
  async measureAffinity() {
    const button = this.$("#affinity-measure");
    button.disabled = true;
    try {
      const t = this.temperature;
      const shares = await this.client.request("affinity", { t });
      const name = this.teacherName?.() ?? "teacher";
      const key = `${name}|${t}`;
      const body = this.$("#affinity-table tbody");
      body.querySelector(`tr[data-key="${CSS.escape(key)}"]`)?.remove();
      const tr = document.createElement("tr");
      tr.dataset.key = key;
      for (const text of [name, String(t), ...shares.map((s) => pct(s, 1))]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      body.append(tr);
      this.$("#affinity-table").hidden = false;
    } catch (error) {
      this.onError(error);
    } finally {
      button.disabled = false;
    }
  }

  nextHard() {
    if (!this.hard.length) return;
    this.inspect(this.hard[this.hardNext % this.hard.length]);
    this.hardNext += 1;
  }

  wireSample() {
    const slider = this.$("#temperature-slider");
    slider.addEventListener("input", () => this.setTemperature(Number(slider.value)));
    const index = this.$("#sample-index");
    index.addEventListener("change", () => {
      const n = Number(index.value);
      if (Number.isInteger(n) && n >= 0 && n < this.testImages) this.inspect(n);
      else index.value = String(this.index);
    });
    this.$("#sample-random").addEventListener("click", () => this.inspect(Math.floor(Math.random() * this.testImages)));
    this.$("#sample-hard").addEventListener("click", () => this.findHard());
    this.$("#affinity-measure").addEventListener("click", () => this.measureAffinity());
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
      try {
        canvas.setPointerCapture(e.pointerId); // strokes that leave the pad still end on it
      } catch {
        // Not an active pointer (Firefox refuses some): the stroke just ends at the edge.
      }
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
      this.drawTicket += 1;
      this.drawPending = false;
      this.$("#draw-bars").replaceChildren();
      this.$("#draw-status").textContent = "";
      const preview = this.$("#draw-preview");
      preview.getContext("2d").clearRect(0, 0, preview.width, preview.height);
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
  async predictDrawing() {
    if (!this.drawn) return;
    if (this.drawBusy) {
      this.drawPending = true;
      return;
    }
    this.drawBusy = true;
    this.drawPending = false;
    const canvas = this.$("#draw-canvas");
    const image = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    const ticket = this.drawTicket;
    try {
      const prediction = await this.client.request("draw", { rgba: image.data, width: canvas.width, height: canvas.height },
        { transfer: [image.data.buffer] });
      if (ticket !== this.drawTicket) return; // cleared meanwhile
      this.$("#draw-status").textContent = "";
      drawGrey(this.$("#draw-preview"), prediction.pixels);
      this.onImage?.(prediction.pixels);
      renderBars(this.$("#draw-bars"), prediction.outputs, { timed: true });
    } catch (error) {
      // A drawing the core cannot read (an empty canvas) is said beside the pad.
      if (ticket === this.drawTicket) this.$("#draw-status").textContent = error.message;
    } finally {
      this.drawBusy = false;
    }
    if (this.drawPending) this.predictDrawing();
  }
}

/** A square image's grey bytes (0 = background) drawn dark on light, the canvas sized to it. */
function drawGrey(canvas, pixels) {
  canvas.width = canvas.height = Math.sqrt(pixels.length);
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(canvas.width, canvas.height);
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
      const title = document.createElement("h3");
      const at = temperature != null ? ` at T = ${temperature}` : "";
      const took = timed ? ` · ${time(o.timing.ms, o.timing.resolved)} (${o.timing.calls_per_window} calls a window)` : "";
      title.textContent = `${MODEL_NAMES[o.model]}: ${className(o.predicted)}${at}${took}`;
      block.append(title);
      o.probabilities.forEach((p, digit) => {
        const row = document.createElement("div");
        row.className = "prob-row";
        if (digit === label) row.classList.add("truth");
        const name = document.createElement("span");
        name.textContent = className(digit);
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
