// The benchmark page's entry point: `runBench(config)` runs the workload on webdistill (WebGPU,
// CPU) and TensorFlow.js (webgpu, wasm) in this one page and returns plain JSON. scripts/bench.mjs
// drives it in headless Chromium and adds the native numbers.

import { labelling, latency, loadData, trainingThroughput, useBackend } from "./tfjs-peer.js";
import { benchTraining, measure, openSession } from "./webdistill-peer.js";
import { installGpuCounters, readbackWindow } from "./gpu-counters.js";

const LATENCY_BATCHES = [1, 256]; // src/eval/latency.rs LATENCY_BATCHES
/** Test images the teacher labels for the labelling throughput (src/bin/webdistill/bench.rs LABEL_IMAGES). */
const LABEL_IMAGES = 10_000;
const log = (text) => {
  document.querySelector("#log").textContent += `${text}\n`;
  console.log(text);
};
const withoutReplay = ({ replay, ...rest }) => rest;
/** At most this many untimed passes before a backend is measured (see settle). */
const MAX_SETTLE_PASSES = 6;

/**
 * Runs `pass` (the small student's whole training measurement) untimed until its ms/step stops
 * falling: two passes in a row within 10%. V8 first runs wasm (and hot JS) from a quick baseline
 * compiler and swaps in optimised code in the background as functions get hot (dynamic
 * tiering); measured here, webdistill's CPU backend took three passes to settle at 1.75 ms/step
 * from 4.4 ms on its first, and at 1.66 ms on its first with `--js-flags=--no-liftoff`. Every
 * library and backend gets the same treatment. Returns the ms/step of each pass.
 */
async function settle(pass) {
  const seen = [];
  while (seen.length < MAX_SETTLE_PASSES) {
    seen.push((await pass()).ms_per_step);
    const [before, last] = seen.slice(-2);
    if (seen.length >= 2 && Math.abs(last - before) <= 0.1 * before) break;
  }
  log(`  settled after ${seen.length} passes: ${seen.map((ms) => ms.toFixed(2)).join(", ")} ms/step`);
  return seen;
}

/** config: {specs: TrainingBenchSpec[], webdistill: ["webgpu", "cpu"], tfjs: ["webgpu", "wasm"]} */
async function runBench(config) {
  const results = { webdistill: {}, tfjs: {}, skipped: [] };
  let replays = null; // webdistill's initial weights and batches, for TF.js to replay
  for (const backend of config.webdistill) {
    log(`webdistill on ${backend}`);
    let session;
    try {
      session = await openSession(backend);
    } catch (error) {
      results.skipped.push(`webdistill ${backend}: ${error.message}`);
      continue;
    }
    const settled = await settle(() => benchTraining(session, config.specs[0]));
    const { training, labelling: labelled, latency: lat } = await measure(session, config.specs, LABEL_IMAGES);
    replays ??= training;
    results.webdistill[backend] = { training: training.map(withoutReplay), labelling: labelled, latency: lat, settle_ms_per_step: settled };
    session.free();
  }
  if (!replays) throw new Error("webdistill ran on no backend");
  const data = await loadData();
  for (const backend of config.tfjs) {
    log(`TensorFlow.js on ${backend}`);
    if (!(await useBackend(backend))) {
      results.skipped.push(`tfjs ${backend}: the backend did not start`);
      continue;
    }
    const settled = await settle(() => trainingThroughput(replays[0], data));
    const training = [];
    for (const bench of replays) training.push(await trainingOrWhyNot(bench, data));
    const teacher = await latency("teacher", data, LATENCY_BATCHES);
    const big = teacher.at(-1);
    const correct = big.predictions.filter((p, i) => p === data.testLabels[i]).length;
    const lat = { teacher: teacher.map(({ predictions, ...l }) => l) };
    for (const bench of replays.filter((b) => !b.spec.channels?.length)) { // latency: the MLPs
      const l = await latency("student", data, LATENCY_BATCHES, { hidden: bench.spec.hidden, weights: bench.replay.initial_weights });
      lat[`student ${bench.spec.hidden.join("-")}`] = l.map(({ predictions, ...x }) => x);
    }
    const labelled = await labelling(data, LABEL_IMAGES);
    results.tfjs[backend] = { training, labelling: labelled, latency: lat, teacher_port_accuracy: correct / big.batch_size, settle_ms_per_step: settled };
  }
  // What TF.js-wasm cannot train (it has no gradient kernels for convolutions): on TF.js's plain
  // JavaScript backend, the one TF.js backend without a GPU that can.
  const unsupported = replays.filter((_, i) => results.tfjs.wasm?.training[i]?.unsupported);
  if (unsupported.length && (await useBackend("cpu"))) {
    log("TensorFlow.js on cpu (what wasm cannot train)");
    results.tfjs.cpu = { training: await Promise.all(replays.map(async (bench) =>
      (unsupported.includes(bench) ? trainingOrWhyNot(bench, data) : null))) };
  }
  return results;
}

/** A TF.js training measurement, or {spec, unsupported} when the backend lacks a kernel it needs. */
async function trainingOrWhyNot(bench, data) {
  try {
    return await trainingThroughput(bench, data);
  } catch (error) {
    if (!/not registered/.test(error.message)) throw error;
    log(`  ${bench.spec.channels?.length ? "CNN" : "MLP"}: ${error.message}`);
    return { spec: bench.spec, backend: `tfjs-${tf.getBackend()}`, unsupported: error.message };
  }
}

/**
 * What one training step asks of the WebGPU device, per library: WebGPU calls counted between
 * the readback that ends the warm-up and the one that ends the timed steps, per step; with
 * `short` and `long` timed steps, so a count that does not scale with the steps shows up.
 * config: {specs, short, long, warmup}.
 */
async function runProfile(config) {
  if (!installGpuCounters()) throw new Error("no WebGPU here: nothing to profile");
  const session = await openSession("webgpu");
  const data = await loadData();
  if (!(await useBackend("webgpu"))) throw new Error("TF.js webgpu did not start");
  const out = [];
  for (const base of config.specs) {
    const row = { hidden: base.hidden, batch_size: base.batch_size, webdistill: {}, tfjs: {} };
    for (const steps of [config.short, config.long]) {
      const spec = { ...base, checked_steps: 0, warmup: config.warmup, steps };
      const ours = await benchTraining(session, spec);
      row.webdistill[steps] = { ms_per_step: ours.ms_per_step, per_step: await readbackWindow(steps) };
      // ours.spec, as webdistill read it: the loss settings the JS spec leaves to their defaults filled in.
      const peer = await trainingThroughput({ spec: ours.spec, replay: ours.replay }, data);
      row.tfjs[steps] = { ms_per_step: peer.ms_per_step, per_step: await readbackWindow(steps) };
      log(`profiled 784-${base.hidden.join("-")}-10 over ${steps} steps`);
    }
    out.push(row);
  }
  session.free();
  return out;
}

const stepsSessions = {};

/**
 * A webdistill training run on `backend`, for a CPU profile of the page around it: the first
 * call opens the session and settles it (kernels compiled, data decoded, wasm optimised), later
 * ones only train. Returns when the timed steps ended (performance.now()) and how long they took.
 */
async function runSteps(backend, spec) {
  if (!stepsSessions[backend]) {
    stepsSessions[backend] = await openSession(backend);
    await settle(() => benchTraining(stepsSessions[backend], spec));
  }
  const result = await benchTraining(stepsSessions[backend], spec);
  return { ended: performance.now(), timed_ms: result.ms_per_step * spec.steps, ms_per_step: result.ms_per_step };
}

window.runBench = runBench;
window.runSteps = runSteps;
window.runProfile = runProfile;
document.querySelector("#status").textContent = "ready";
