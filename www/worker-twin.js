// A run's scratch twin on another core (src/run/twin.rs): a helper worker trains it while the
// page's worker trains the distilled student, and the run joins it by its weights.

import { startHelper } from "./worker-labelling.js";

/**
 * The comparison's scratch twin, trained by a helper worker (www/helper.js, "scratch") from the
 * same settings and `inputs` (www/worker.js's `helperInputs`): `onUpdate(update)` hears its
 * curve, and `weights` resolves to its trained weights for the run's `joinScratch` (`settled`
 * once it has, or has failed).
 *
 * The helper starts at once (loading the module and the data takes it about half a second), but
 * trains only after `start()`: the caller starts it once the transfer set is labelled, so the
 * twin takes the core the distilled student's training leaves free instead of slowing the
 * labelling that the distilled student waits for.
 */
export function scratchTwin(inputs, values, onUpdate) {
  const twin = { settled: false, joined: false, weights: null, start: null, stop: null, heard: performance.now() };
  twin.weights = new Promise((resolve, reject) => {
    const helper = startHelper("scratch", inputs, { values }, (data) => {
      twin.heard = performance.now();
      if (data.update) return onUpdate(data.update);
      twin.settled = true;
      if (data.weights) resolve(data.weights);
      else reject(new Error(`the student without teacher failed on its worker: ${data.error}`));
    });
    twin.start = () => {
      twin.heard = performance.now(); // its silence is counted from the start of its training
      helper.post({ go: true });
    };
    twin.stop = () => helper.terminate();
  });
  twin.weights.catch(() => {}); // its failure surfaces where the run waits for it
  return twin;
}

/** How long the twin's helper may stay silent (it reports every slice, ~150 ms) before the run
 * gives up on it with a message rather than wait for ever. */
const TWIN_SILENCE_MS = 60_000;

/** The twin's trained weights, once its helper sends them; fails if it falls silent or `signal`
 * aborts. */
export async function twinWeights(twin, signal) {
  for (;;) {
    const silent = performance.now() - twin.heard;
    if (silent > TWIN_SILENCE_MS) {
      throw new Error(`the worker training the student without teacher stopped answering (${Math.round(silent / 1000)} s); run again, or add cores=1 to the link to train it beside the distilled one`);
    }
    const got = await Promise.race([twin.weights, aborted(signal), new Promise((resolve) => setTimeout(resolve, 1000, null))]);
    if (got) return got;
  }
}

/** A promise that rejects (AbortError) when `signal` aborts. */
function aborted(signal) {
  return new Promise((_, reject) => {
    const fail = () => reject(new DOMException("stopped", "AbortError"));
    if (signal.aborted) fail();
    else signal.addEventListener("abort", fail, { once: true });
  });
}
