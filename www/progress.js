// Progress in words: the download bar, and what the status line, the bar's label and its text say for each of
// the core's updates (src/run/outcome.rs, `Update`). Only wording and formatting here; every
// number (steps, epochs, the ETA) comes from the core.

import { bytes, duration, int } from "./format.js";

/** The status line for each of the core's phases. */
export const PHASES = {
  labelling: "the teacher labels the transfer set",
  assistant: "the teacher assistant learns from the teacher",
  assistant_labelling: "the assistant labels the transfer set",
  training: "both students train",
  measuring: "measuring every model on the full test set",
  // The run's last slice; "done" is for when the comparison has arrived and is shown.
  done: "finishing",
};

/**
 * What update `u` shows: {status, label, fraction (0 to 1), text, training (whether it is a
 * step of the students' training, which the curves plot)}. `backend` is the run's
 * ("webgpu": the first labelling slice also compiles the GPU's kernels).
 */
export function progressView(u, backend) {
  const compiling = backend === "webgpu" && u.labelled === 0 && u.phase === "labelling";
  const left = u.eta_s != null ? ` · ${duration(u.eta_s)} left` : "";
  let fraction = 0;
  let text = "";
  let training = false;
  if (u.phase === "labelling" || u.phase === "assistant_labelling") {
    fraction = u.labelled / u.to_label;
    const workers = u.labelled_by > 1 && u.phase === "labelling" ? ` on ${u.labelled_by} cores` : "";
    text = `${int(u.labelled)} / ${int(u.to_label)} images${workers}${left}${twinAside(u.scratch)}`;
  } else if (u.phase === "assistant" && u.assistant) {
    fraction = u.assistant.step / u.assistant.total_steps;
    text = `step ${int(u.assistant.step)} / ${int(u.assistant.total_steps)}${left}`;
  } else if (u.distilled) {
    const d = u.distilled;
    training = true;
    fraction = d.step / d.total_steps;
    const scratch = u.scratch ? `; without teacher, epoch ${u.scratch.epoch.toFixed(1)} over its ${int(u.scratch.examples)} labeled images` : "";
    text = `step ${int(d.step)} / ${int(d.total_steps)}: distilled, epoch ${d.epoch.toFixed(2)} over ${int(d.examples)} images${scratch}${left}`;
  } else if (u.phase === "measuring") {
    fraction = u.measured / u.to_measure;
    text = u.waiting ? `${u.measured} of ${u.to_measure} measured; waiting for the student without teacher${twinAside(u.scratch)}`
      : `${u.measured} of ${u.to_measure} measured`;
  }
  if (u.soft_targets === "cached" && u.phase !== "measuring") text += " · soft targets reused from the previous run";
  return {
    status: compiling ? "compiling the GPU's kernels, then the teacher labels the transfer set" : PHASES[u.phase],
    label: PHASES[u.phase],
    fraction: Math.max(0, Math.min(1, fraction)),
    text,
    training,
  };
}

/** Where the scratch twin is while it trains on another core ("" when it does not, or is done). */
function twinAside(r) {
  if (!r || r.step >= r.total_steps) return "";
  return `; without teacher, on another core: step ${int(r.step)} / ${int(r.total_steps)}`;
}

/** The download bar: `loaded` of `total` bytes, hidden once all are in. */
export function showDownload(loaded, total) {
  const bar = document.querySelector("#download-bar");
  bar.hidden = loaded >= total;
  bar.querySelector("progress").value = total ? loaded / total : 0;
  bar.querySelector(".bar-text").textContent = `${bytes(loaded)} of ${bytes(total)}`;
}
