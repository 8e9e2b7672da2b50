// The benchmark page's entry point: `runBench(config)` runs the workload on webdistill (WebGPU,
// CPU) and TensorFlow.js (webgpu, wasm) in this one page and returns plain JSON. scripts/bench.mjs
// drives it in headless Chromium and adds the native numbers.

import { latency, loadData, trainingThroughput, useBackend } from "./tfjs-peer.js";
import { measure, openSession } from "./webdistill-peer.js";
import { installGpuCounters, readbackWindow } from "./gpu-counters.js";

const LATENCY_BATCHES = [1, 256]; // src/experiment.rs LATENCY_BATCHES
const log = (text) => {
  document.querySelector("#log").textContent += `${text}\n`;
  console.log(text);
};
const withoutReplay = ({ replay, ...rest }) => rest;

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
    const { training, latency: lat } = await measure(session, config.specs);
    replays ??= training;
    results.webdistill[backend] = { training: training.map(withoutReplay), latency: lat };
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
    const training = [];
    for (const bench of replays) training.push(await trainingThroughput(bench, data));
    const teacher = await latency("teacher", data, LATENCY_BATCHES);
    const big = teacher.at(-1);
    const correct = big.predictions.filter((p, i) => p === data.testLabels[i]).length;
    const lat = { teacher: teacher.map(({ predictions, ...l }) => l) };
    for (const bench of replays) {
      const l = await latency("student", data, LATENCY_BATCHES, { hidden: bench.spec.hidden, weights: bench.replay.initial_weights });
      lat[`student ${bench.spec.hidden.join("-")}`] = l.map(({ predictions, ...x }) => x);
    }
    results.tfjs[backend] = { training, latency: lat, teacher_port_accuracy: correct / big.batch_size };
  }
  return results;
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
      const ours = await session.benchTraining(spec);
      row.webdistill[steps] = { ms_per_step: ours.ms_per_step, per_step: await readbackWindow(steps) };
      const peer = await trainingThroughput({ spec, replay: ours.replay }, data);
      row.tfjs[steps] = { ms_per_step: peer.ms_per_step, per_step: await readbackWindow(steps) };
      log(`profiled 784-${base.hidden.join("-")}-10 over ${steps} steps`);
    }
    out.push(row);
  }
  session.free();
  return out;
}

let stepsSession = null;

/**
 * A webdistill training run on WebGPU, for a CPU profile of the page around it: the first call
 * opens the session and runs `spec` once (kernels compiled, data decoded), later ones only train.
 */
async function runWebGpuSteps(spec) {
  if (!stepsSession) {
    stepsSession = await openSession("webgpu");
    await stepsSession.benchTraining(spec);
  }
  const start = performance.now();
  const result = await stepsSession.benchTraining(spec);
  return { ms: performance.now() - start, ms_per_step: result.ms_per_step };
}

window.runBench = runBench;
window.runWebGpuSteps = runWebGpuSteps;
window.runProfile = runProfile;
document.querySelector("#status").textContent = "ready";
