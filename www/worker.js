// The Web Worker that owns the wasm module, the teacher, the data and the runs, so the page never
// freezes. Protocol (www/worker-client.js is the page's side):
//   page → worker: {id, type, ...arguments}
//   worker → page: {id, ok: result} or {id, error: {message, fatal}} for each request, and events
//                  {event: "status" | "download" | "progress" | "sweep", run?: id of the request
//                  they belong to, ...}
// A fatal error (a trap: a panic, or a WebGPU device that failed) leaves the wasm instance
// unusable; the page then replaces this worker.

import { fetchAssets, loadManifest } from "./assets.js";
import { OWN, Teachers } from "./worker-teachers.js";
import { BackendChoice } from "./worker-backend.js";
import { helperFailed, labelOnEveryCore, nextTask, startHelper, teacherTestOnHelper } from "./worker-labelling.js";
import { scratchTwin, twinWeights } from "./worker-twin.js";
import { build, lastPanic } from "./worker-modules.js";

/** How many of the teacher's hardest test images the page cycles through. */
const HARD_EXAMPLES = 50;
/** The data of a task (the schema's `tasks`) a session needs before it is ready (the teacher's
 * files are chosen by the settings, the training images by the run). */
const dataFiles = (task) => ["test-images", "test-labels", "train-labels"].map((f) => `${task.asset_dir}/${f}.idx.gz`);

let session = null;
let manifest = null;
/** The tasks (schema.tasks), and the one whose data the session holds. */
let tasks = null;
let task = null;
/** The task's data files: name → bytes. */
let files = null;
/** The teachers this worker can load: the bundled ones and one's own (www/worker-teachers.js). */
let teachers = null;
/** The teacher the session holds: {id, weights, card (JSON text)}. */
let teacher = null;
let loadedShards = 0;
/** The CPU build's exports (www/worker-modules.js): the functions that need no session. */
let core = null;
/** The CPU build's compiled module, handed to helper workers so they need not compile it again. */
let wasmModule = null;
/** The training shards loaded, as raw IDX (`Session.trainShardIdx`), for helper workers. */
const shardBytes = [];
/** Cores the page may use for labelling (the page's `cores=` link key, else all). */
let cores = self.navigator.hardwareConcurrency ?? 1;
/** Which backend sessions run on (www/worker-backend.js); it opens them with `newSession`. */
const backends = new BackendChoice((backend, limits) => newSession(backend, limits));
/** The request running now (a run or a sweep): its id and the controller that stops it. */
let current = null;
/** The last inspected test image's outputs (logits), for the temperature slider. */
let inspected = null;

const event = (name, fields) => self.postMessage({ event: name, ...fields });
const status = (text) => event("status", { text });

const handlers = {
  boot, open, calibrate, check, plan, "teacher-latency": teacherLatency, teacher: chooseTeacher, tree, affinity,
  "own-teacher": ownTeacher, "remove-own-teacher": removeOwnTeacher, start, sweep, stop, inspect, temperature, hard, draw,
  bias, "helper-failed": helperFailed,
};

self.onmessage = async ({ data }) => {
  const { id, type } = data;
  try {
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request ${JSON.stringify(type)}`);
    const { result, transfer = [] } = wrap(await handler(data));
    self.postMessage({ id, ok: result }, transfer);
  } catch (error) {
    const message = messageOf(error);
    // A trap leaves the instance unusable; on WebGPU so does a device error (a readback that
    // failed because the device was lost can arrive before the device's own "lost" event).
    const fatal = error instanceof WebAssembly.RuntimeError || (session?.backend === "webgpu" && /compute device error/.test(message));
    self.postMessage({ id, error: { message, fatal } });
  }
};

/** A handler may return {result, transfer} to hand buffers over instead of copying them. */
const wrap = (value) => (value && value.transfer ? value : { result: value });

/** Compiles the wasm module; returns the settings schema and presets the page builds its form from. */
async function boot() {
  status("loading the WebAssembly module");
  ({ api: core, module: wasmModule } = await build("cpu"));
  const schema = core.settingsSchema();
  tasks = schema.tasks;
  teachers = new Teachers(schema.teachers, (loaded, total) => event("download", { loaded, total }));
  return schema;
}

/**
 * A teacher of one's own, from its files (safetensors and card): checked against its card
 * (checksum, shapes) and measured on the test set before it is used; refused with the figures
 * below half right. Nothing loaded before is lost when it is refused. Kept for the next visit.
 * Returns {card, evaluation, kept} (kept: false when the browser could not store it).
 */
async function ownTeacher({ weights, card, name }) {
  const s = needSession();
  if (current) throw new Error("a run is going; load your teacher when it has finished");
  const before = teacher;
  let loaded;
  try {
    loaded = s.loadTeacher(weights, card);
  } catch (error) {
    throw new Error(`${name}: ${error.message}`);
  }
  let evaluation;
  try {
    status("measuring your teacher on the test set");
    evaluation = await s.teacherEvaluation(true);
  } catch (error) {
    s.loadTeacher(before.weights, before.card); // back to the teacher it replaced
    status("ready");
    throw new Error(`${name}: ${error.message}`);
  }
  teacher = { id: OWN, weights, card, name };
  const kept = await teachers.keepOwn({ weights, card, name });
  status("ready");
  return { card: loaded, evaluation, kept };
}

/** Forgets the teacher of one's own; returns to the default teacher if it was the one loaded. */
async function removeOwnTeacher() {
  await teachers.forgetOwn();
  if (teacher?.id !== OWN) return null;
  if (current) throw new Error("a run is going; remove your teacher when it has finished");
  const next = await teachers.files(task.key, teachers.defaultId, manifest);
  const card = needSession().loadTeacher(next.weights, next.card);
  teacher = next;
  return card;
}

/** The task and teacher `values` name, loaded now (not during a run: the next run loads them). */
async function chooseTeacher({ values }) {
  if (current) return false;
  await useTask(needSession(), values);
  await useTeacher(needSession(), values);
  status("ready");
  return true;
}

/** The task `values` name (the first when it names none or an unknown one). */
const taskOf = (values) => tasks.find((t) => t.key === values?.task) ?? tasks[0];

/**
 * Makes the session's data that of the task `values` name, downloading it the first time (the
 * Cache API keeps it); the session drops the other task's teacher, training images and kept run.
 * The page hears of it by a "teacher" event with the task's teacher, then a "task" event.
 */
async function useTask(s, values, signal) {
  const want = taskOf(values);
  if (want.key === task?.key) return;
  status(`downloading ${want.dataset}`);
  const got = await fetchAssets(manifest, dataFiles(want), (loaded, total) => event("download", { loaded, total }), signal);
  s.selectTask(want.key);
  const names = dataFiles(want);
  s.loadTest(got.get(names[0]), got.get(names[1]));
  s.loadTrainLabels(got.get(names[2]));
  task = want;
  files = got;
  teacher = null;
  loadedShards = 0;
  shardBytes.length = 0;
  await useTeacher(s, values, signal);
  // After the teacher: what the page asks on hearing it (the explorer's image) needs both.
  event("task", { task: want.key, testImages: s.testImages });
}

/**
 * Makes the session's teacher the one `values` name, downloading it the first time it is
 * chosen; the page hears of a change by a "teacher" event with the new card.
 */
async function useTeacher(s, values, signal) {
  const want = values.teacher ?? teachers.defaultId;
  if (teacher?.id === want) return;
  status("downloading the teacher");
  const next = await teachers.files(task.key, want, manifest, signal);
  const card = s.loadTeacher(next.weights, next.card);
  teacher = next;
  event("teacher", { card });
}

/**
 * Downloads the teacher and the data and opens a session on `backend` ("auto", "webgpu", "cpu"),
 * as www/worker-backend.js chooses it. Returns {backend, reason (why not WebGPU, or the
 * measurement), measured, remembered, calibrate (whether to call it), card, ...}.
 */
async function open({ backend: choice, values, cores: allowed }) {
  await teachers.recallOwn();
  if (allowed) cores = Math.min(cores, allowed);
  status("downloading the teacher and the data");
  manifest = await loadManifest();
  task = taskOf(values);
  // A link that names a teacher of one's own that is not kept here starts with the default.
  teacher = await teachers.files(task.key, values?.teacher, manifest).catch(() => teachers.files(task.key, teachers.defaultId, manifest));
  files = await fetchAssets(manifest, dataFiles(task), (loaded, total) => event("download", { loaded, total }));
  const { session: s, ...verdict } = await backends.open(choice, values);
  return { ...use(s), ...verdict };
}

/** "auto" on a first visit: times both backends and moves to WebGPU if it won. Returns what `open` returns. */
async function calibrate({ values }) {
  status("timing the CPU and WebGPU on this run");
  const { session: s, ...verdict } = await backends.calibrate(needSession(), values, status);
  if (s !== session) use(s);
  status("ready");
  return { backend: session.backend, ...verdict, card: JSON.parse(teacher.card) };
}

/** A session on `backend` with the teacher, the test set and the training labels loaded. */
async function newSession(backend, limits) {
  const { api } = await build(backend);
  const s = await api.Session.create(backend, limits);
  try {
    const [testImages, testLabels, trainLabels] = dataFiles(task).map((name) => files.get(name));
    s.selectTask(task.key);
    s.loadTeacher(teacher.weights, teacher.card);
    s.loadTest(testImages, testLabels);
    s.loadTrainLabels(trainLabels);
    return s;
  } catch (error) {
    s.free();
    throw error;
  }
}

/** Makes `s` this worker's session; returns what the page shows. */
function use(s) {
  session = s;
  loadedShards = 0;
  const card = JSON.parse(teacher.card);
  return { backend: s.backend, card, teacher: teacher.id, task: task.key, testImages: s.testImages, own: teachers.ownName };
}

function needSession() {
  if (!session) throw new Error("the worker is not ready yet");
  return session;
}

function check({ values }) {
  return needSession().problems(values);
}

function plan({ values }) {
  return needSession().plan(values);
}

async function teacherLatency() {
  return needSession().teacherLatency();
}

/** Makes sure training shards 0 .. n-1 are loaded; stops between files when `signal` aborts. */
async function loadShards(n, signal) {
  const names = [];
  for (let i = loadedShards; i < n; i++) names.push(`${task.asset_dir}/train-images-${i}.idx.gz`);
  if (!names.length) return;
  status(`downloading ${names.length} shard(s) of training images`);
  const shards = await fetchAssets(manifest, names, (loaded, total) => event("download", { loaded, total }), signal);
  for (const name of names) {
    session.loadTrainShard(loadedShards, shards.get(name));
    // Helpers get the shard inflated: each would spend 0.3–0.4 s inflating it again.
    shardBytes[loadedShards] = session.trainShardIdx(loadedShards);
    loadedShards += 1;
  }
}

/** A run or sweep, stoppable: `body(signal)` checks `signal.aborted` between slices. */
async function stoppable(id, body) {
  if (current) throw new Error("a run is already going; stop it first");
  const controller = new AbortController();
  current = { id, controller };
  try {
    return await body(controller.signal);
  } catch (error) {
    if (controller.signal.aborted && error.name === "AbortError") return { stopped: true };
    throw error;
  } finally {
    current = null;
  }
}

function stop() {
  current?.controller.abort();
  return Boolean(current);
}

/** The comparison run of `values`; progress goes out as "progress" events tagged with `id`. */
async function start({ id, values }) {
  const s = needSession();
  const problems = s.problems(values);
  if (problems.length) return { problems };
  return stoppable(id, async (signal) => {
    await useTask(s, values, signal);
    await useTeacher(s, values, signal);
    // The settings parsed once: the shards, the labelling and the run all come from this.
    const prepared = s.prepare(values);
    let run = null;
    let twin = null;
    let teacherTest = null;
    try {
      // The teacher's test logits on another core from the click (they need no training images,
      // so the helper starts while this worker fetches them): the measuring phase then only
      // reads them.
      if (s.teacherTestOnAnotherWorker(cores)) teacherTest = teacherTestOnHelper(helperInputs({ shards: false }));
      await loadShards(prepared.shardsNeeded, signal);
      // The scratch twin needs no teacher: on another core it trains while this worker trains
      // the distilled student. Its helper starts loading now and trains once labelling is done
      // (until then both cores label: docs/BENCHMARKS.md, 2026-12-04).
      twin = s.scratchOnAnotherWorker(prepared, cores)
        ? scratchTwin(helperInputs(), values, (update) => event("twin-progress", { run: id, update }))
        : null;
      const labelled = await labelOnCores(s, prepared, id, signal);
      if (signal.aborted) return { stopped: true };
      twin?.start();
      run = s.startPrepared(prepared);
      if (twin) run.scratchElsewhere();
      while (!run.done) {
        const update = await run.advance();
        if (labelled) update.labelled_by = labelled;
        event("progress", { run: id, update });
        if (teacherTest && update.phase === "measuring") {
          // Before the first measuring slice; a helper that failed leaves them to the run.
          const logits = await teacherTest.take(signal);
          if (logits) s.keepTeacherTestLogits(logits);
          teacherTest.stop();
          teacherTest = null;
        }
        if (twin && !twin.joined && (twin.settled || update.waiting)) {
          run.joinScratch(await twinWeights(twin, signal));
          twin.joined = true;
        }
        await nextTask(); // lets a "stop" message in between slices
        if (signal.aborted) return { stopped: true };
      }
      const comparison = run.finish();
      s.keep(run);
      // Exported now, not on click: a download started after a round trip to this worker could
      // fall outside the click's user activation, and browsers then block or ask.
      const students = { distilled: studentFile("distilled") };
      if (comparison.scratch) students.scratch = studentFile("scratch");
      const transfer = Object.values(students).flatMap((f) => [f.weights.buffer, f.onnx.buffer, ...(f.tfjs ? [f.tfjs.weights.buffer] : [])]);
      return { result: { comparison, files: students }, transfer };
    } finally {
      twin?.stop();
      teacherTest?.stop();
      run?.free();
      prepared.free();
    }
  });
}

/** What a helper worker needs to start: the compiled module, the teacher, the task's data (the
 * training images only with `shards`). */
function helperInputs({ shards = true } = {}) {
  const [testImages, testLabels, trainLabels] = dataFiles(task).map((name) => files.get(name));
  return { dataset: task.key, module: wasmModule, teacher: teacher.weights, card: teacher.card,
    test: [testImages, testLabels], labels: trainLabels, shards: shards ? shardBytes.slice(0, loadedShards) : [] };
}

/** Labels the transfer set of the run `prepared` on every core the page may use (www/worker-labelling.js). */
function labelOnCores(s, prepared, id, signal) {
  return labelOnEveryCore(s, prepared, { cores, inputs: helperInputs, signal,
    onStart: () => status("the teacher labels the transfer set"), onProgress: (update) => event("progress", { run: id, update }) });
}

function studentFile(role) {
  const f = session.studentFile(role);
  try {
    const model = f.tfjsModel;
    const [modelName, weightsName] = f.tfjsNames;
    const tfjs = model == null ? null : { model, weights: f.tfjsWeights, modelName, weightsName };
    return { weights: f.weights, onnx: f.onnx, tfjs, card: f.card, name: f.name, snippets: f.snippets };
  } finally {
    f.free();
  }
}

/**
 * Students of several sizes on `values`; the rows so far go out in "sweep" events. On the CPU
 * backend with a second core, a helper trains the students without the teacher while this
 * worker trains the distilled ones, and this worker joins each size's two parts into its row.
 */
async function sweep({ id, values }) {
  const s = needSession();
  const problems = s.problems(values);
  if (problems.length) return { problems };
  return stoppable(id, async (signal) => {
    await useTask(s, values, signal);
    await useTeacher(s, values, signal);
    // The settings parsed once: the shards, the labelling and the sweep all come from this.
    const prepared = s.prepare(values);
    let run;
    try {
      await loadShards(prepared.shardsNeeded, signal);
      await labelOnCores(s, prepared, id, signal);
      if (signal.aborted) return { stopped: true, result: { settings: null, teacher: null, rows: [] } };
      run = s.sweepPrepared(prepared, s.sweepPart(cores));
    } finally {
      prepared.free();
    }
    const arrived = [];
    let failure = null;
    let wake = () => {};
    const helper = run.part === "distilled" && startHelper("sweep-scratch", helperInputs(), { values }, (data) => {
      if (data.part) arrived.push(data.part);
      else if (data.error) failure = new Error(`the sweep's second worker failed: ${data.error}`);
      wake();
    });
    try {
      let update = null;
      while (!run.done) {
        if (failure) throw failure;
        while (arrived.length) {
          update = run.join(arrived.shift());
          event("sweep", { run: id, update });
        }
        if (run.done) break;
        if (update?.waiting) {
          // Its own students are done: wait for the helper's (or a stop).
          await new Promise((resolve) => {
            wake = resolve;
            signal.addEventListener("abort", resolve, { once: true });
          });
        } else {
          update = await run.advance();
          event("sweep", { run: id, update });
          await nextTask();
        }
        if (signal.aborted) return { stopped: true, result: run.result(), workers: helper ? 2 : 1 };
      }
      return { result: run.result(), workers: helper ? 2 : 1 };
    } finally {
      if (helper) helper.terminate();
      run.free();
    }
  });
}

/** Every model's answer for test image `index`, at temperature `t`. */
async function inspect({ index, t }) {
  const prediction = await needSession().inspect(index);
  inspected = prediction.outputs;
  return { ...prediction, outputs: atTemperature(t) };
}

/** The last inspected image's probabilities at `t`: no pixels, no forward pass. */
function temperature({ t }) {
  return inspected ? atTemperature(t) : null;
}

function atTemperature(t) {
  return inspected.map((o) => ({ ...o, probabilities: Array.from(core.softmaxAt(Float32Array.from(o.logits), t)) }));
}

/** The kept run's `role` student drawn when it is a soft tree (else null), with `pixels`' path. */
async function tree({ role, pixels }) {
  return needSession().treeDrawing(role, pixels ?? undefined);
}

/** How the loaded teacher sees each class at `t` (the mean probability it gives it elsewhere). */
async function affinity({ t }) {
  return needSession().classAffinity(t);
}

async function hard() {
  return Array.from(await needSession().hardExamples(HARD_EXAMPLES));
}

async function draw({ rgba, width, height }) {
  return needSession().predictDrawing(rgba, width, height);
}

async function bias({ digit, delta }) {
  return needSession().shiftBias(digit, delta ?? undefined);
}

function messageOf(error) {
  if (error instanceof WebAssembly.RuntimeError) {
    return `the computation crashed: ${lastPanic() ?? error.message}`;
  }
  return error?.message ?? String(error);
}

// Every device this worker makes is watched for loss (below); the last one is kept as
// self.webdistillGpuDevice, which tests/browser/page.test.mjs destroys to play a driver reset.
// (A device made only for "auto"'s timing and then not used is left alone.)
if (self.navigator.gpu) {
  const request = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await request.apply(this, args);
    self.webdistillGpuDevice = device;
    // A device lost mid-run (driver reset, GPU switch, a backgrounded phone tab) may leave a
    // readback waiting for ever: tell the page at once, so it can go on on the CPU.
    device.lost.then((info) => event("gpu-lost", { message: info.message || info.reason || "the device was lost" }));
    return device;
  };
}
