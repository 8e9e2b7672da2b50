// The omitted class's bias shift (Hinton et al. 2015 §3's omit-3 experiment): the panel shown
// after a run that left a class out, its two buttons (the paper's shift, or one fitted on the
// held-out images) and the sentence stating what the worker measured. Every number comes from
// the worker's answer.

import { className } from "./classes.js";
import { int } from "./format.js";
import { shiftSource } from "./presets.js";

const $ = (selector) => document.querySelector(selector);

export class BiasShiftPanel {
  /**
   * `request(type, fields)` asks the worker; `paperShift()` is the schema's paper shift;
   * `onShifted(comparison, shift)` hears each answer; `onError(error)` each failure.
   */
  constructor({ request, paperShift, onShifted, onError }) {
    Object.assign(this, { request, onShifted, onError });
    this.comparison = null;
    $("#bias-paper").addEventListener("click", () => this.shift(paperShift()));
    $("#bias-fit").addEventListener("click", () => this.shift(null));
  }

  /** Shows the panel for comparison `c` when it left a class out; hides it otherwise. */
  show(c) {
    this.comparison = c;
    const omitted = c.settings.omit;
    $("#bias-shift").hidden = omitted.length === 0;
    $("#bias-result").textContent = "";
    $("#bias-fit").disabled = c.settings.holdout === 0;
    $("#bias-fit").title = c.settings.holdout === 0 ? "Set held-out images above 0 and run again" : "";
    for (const span of document.querySelectorAll(".omitted-digit")) span.textContent = className(omitted[0] ?? 3);
  }

  /** Raises the omitted class's bias by `delta` (null: fitted on the held-out images). */
  async shift(delta) {
    const c = this.comparison;
    const digit = c?.settings.omit[0] ?? 3;
    try {
      const s = await this.request("bias", { digit, delta });
      $("#bias-result").textContent = `Bias of the ${className(s.class)}s raised by ${s.delta.toFixed(1)} (${shiftSource(s)}): ${int(s.before.errors)} → ${int(s.after.errors)} test errors; `
        + `${className(s.class)}s wrong: ${int(s.before.class_errors)} → ${int(s.after.class_errors)} of ${int(s.after.class_total)}.`;
      this.onShifted(c, s);
    } catch (error) {
      this.onError(error);
    }
  }
}
