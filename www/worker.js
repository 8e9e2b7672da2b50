// The Web Worker that owns the wasm module, the teacher, the data and the runs, so the page never
// freezes. The page talks to it only by messages:
//   page → worker: {type: "init", backend}, {type: "check", settings}, {type: "start", settings},
//                  {type: "stop"}, {type: "inspect", index}, {type: "temperature", temperature},
//                  {type: "hard"}, {type: "draw", rgba, width, height}, {type: "bias", digit, delta}
//   worker → page: {type: "status", text}, {type: "download", loaded, total},
//                  {type: "backend", backend, reason}, {type: "ready", card},
//                  {type: "teacher-latency", latency},
//                  {type: "problems", problems, refused}, {type: "progress", update},
//                  {type: "result", comparison, files}, {type: "stopped"},
//                  {type: "inspection", prediction, temperature}, {type: "hard-examples", indices},
//                  {type: "drawing", prediction}, {type: "bias-shift", shift},
//                  {type: "error", message, fatal, about (the request's type)}
// A fatal error (a trap: a panic, or a WebGPU device that failed) leaves the wasm instance
// unusable; the page then replaces this worker.

import init, { lastPanic, Session, softmaxAt } from "./generated/pkg/webdistill.js";
import { fetchAssets, loadManifest } from "./assets.js";

let session = null;
let manifest = null;
let run = null;
let stopRequested = false;
const loadedShards = new Set();
/** The last inspected test image's answers and the slider's temperature. */
let inspected = null;
let temperature = 1;

const post = (message) => self.postMessage(message);
const status = (text) => post({ type: "status", text });

self.onmessage = async ({ data }) => {
  try {
    if (data.type === "init") await start(data.backend);
    else if (data.type === "check") post({ type: "problems", problems: session ? session.problems(data.settings) : [] });
    else if (data.type === "start") await distill(data.settings);
    else if (data.type === "stop") stopRequested = true;
    else if (data.type === "inspect") await inspect(data.index);
    else if (data.type === "temperature") showAtTemperature(data.temperature);
    else if (data.type === "hard") post({ type: "hard-examples", indices: Array.from(await session.hardExamples(HARD_EXAMPLES)) });
    else if (data.type === "draw") post({ type: "drawing", prediction: await session.predictDrawing(data.rgba, data.width, data.height) });
    else if (data.type === "bias") post({ type: "bias-shift", shift: await session.shiftBias(data.digit, data.delta ?? undefined) });
  } catch (error) {
    // A failed explorer request leaves a run going on untouched; a trap ends everything.
    const fatal = error instanceof WebAssembly.RuntimeError;
    if (fatal || data.type === "start") run = null;
    post({ type: "error", message: messageOf(error), fatal, about: data.type });
  }
};

/** Loads wasm, picks the backend, fetches the first assets, loads the teacher. */
async function start(choice) {
  status("loading the WebAssembly module");
  await init();
  const { backend, reason } = await openSession(choice);
  post({ type: "backend", backend, reason });
  status("downloading the teacher and the data");
  manifest = await loadManifest();
  const first = ["teacher.safetensors", "teacher.json", "mnist/test-images.idx.gz", "mnist/test-labels.idx.gz", "mnist/train-labels.idx.gz"];
  const files = await fetchAssets(manifest, first, (loaded, total) => post({ type: "download", loaded, total }));
  const card = session.loadTeacher(files.get("teacher.safetensors"), new TextDecoder().decode(files.get("teacher.json")));
  session.loadTest(files.get("mnist/test-images.idx.gz"), files.get("mnist/test-labels.idx.gz"));
  session.loadTrainLabels(files.get("mnist/train-labels.idx.gz"));
  post({ type: "ready", card });
  // Ready first, timing second: on a slow GPU (SwiftShader) the timing alone takes tens of seconds.
  post({ type: "teacher-latency", latency: await session.teacherLatency() });
}

/** A session on WebGPU when asked for (or "auto") and available, else on the CPU. */
async function openSession(choice) {
  let reason = null;
  if (choice !== "cpu") {
    reason = await webgpuProblem();
    if (!reason) {
      try {
        session = await Session.create("webgpu");
        return { backend: "webgpu", reason: null };
      } catch (error) {
        if (error instanceof WebAssembly.RuntimeError) throw error;
        reason = messageOf(error);
      }
    }
  }
  session = await Session.create("cpu");
  return { backend: "cpu", reason };
}

async function webgpuProblem() {
  if (!self.navigator.gpu) return "this browser has no WebGPU (navigator.gpu is missing)";
  try {
    const adapter = await self.navigator.gpu.requestAdapter();
    return adapter ? null : "WebGPU found no usable adapter";
  } catch (error) {
    return `WebGPU could not start: ${messageOf(error)}`;
  }
}

/** Makes sure training shards 0 .. n-1 are loaded. */
async function loadShards(n) {
  const names = [];
  for (let i = 0; i < n; i++) if (!loadedShards.has(i)) names.push(i);
  if (!names.length) return;
  status(`downloading ${names.length} shard(s) of training images`);
  const files = await fetchAssets(manifest, names.map((i) => `mnist/train-images-${i}.idx.gz`), (loaded, total) =>
    post({ type: "download", loaded, total }),
  );
  for (const i of names) {
    session.loadTrainShard(i, files.get(`mnist/train-images-${i}.idx.gz`));
    loadedShards.add(i);
  }
}

async function distill(settings) {
  if (!session) throw new Error("the worker is not ready yet");
  const problems = session.problems(settings);
  if (problems.length) {
    post({ type: "problems", problems, refused: true });
    return;
  }
  await loadShards(session.shardsNeeded(settings));
  run = session.start(settings);
  stopRequested = false;
  status("the teacher labels the transfer set");
  while (!run.done) {
    const update = await run.advance();
    post({ type: "progress", update });
    await nextTask(); // lets a "stop" message in between slices
    if (stopRequested) {
      run.free();
      run = null;
      post({ type: "stopped" });
      return;
    }
  }
  status("measuring all three models on the full test set");
  const comparison = await run.finish();
  session.keep(run);
  run.free();
  run = null;
  // Exported now, not on click: a download started after a round trip to this worker could
  // fall outside the click's user activation, and browsers then block or ask. Costs one weights
  // readback per student (5 MB for 800-800).
  const files = { distilled: await session.studentFile("distilled") };
  if (comparison.scratch) files.scratch = await session.studentFile("scratch");
  post({ type: "result", comparison, files });
}

/** How many of the teacher's hardest test images the page cycles through. */
const HARD_EXAMPLES = 50;

/** Every model's answer for test image `index`, shown at the slider's temperature. */
async function inspect(index) {
  inspected = await session.inspect(index);
  showAtTemperature(temperature);
}

function showAtTemperature(t) {
  temperature = t;
  if (!inspected) return;
  const outputs = inspected.outputs.map((o) => ({ ...o, probabilities: Array.from(softmaxAt(Float32Array.from(o.logits), t)) }));
  post({ type: "inspection", prediction: { ...inspected, outputs }, temperature: t });
}

/** Resolves after pending messages are handled (a macrotask, unlike `await` alone). */
function nextTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = resolve;
    channel.port2.postMessage(null);
  });
}

function messageOf(error) {
  if (error instanceof WebAssembly.RuntimeError) {
    let panic = null;
    try {
      panic = lastPanic();
    } catch {
      // the instance is too broken even for that
    }
    return `the computation crashed: ${panic ?? error.message}`;
  }
  return error?.message ?? String(error);
}
