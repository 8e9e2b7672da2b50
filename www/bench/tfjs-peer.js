// TensorFlow.js 4.22's side of the benchmark: the same function as webdistill's training step
// (src/distill.rs hinton_loss, src/train.rs Adam) for an MLP or a CNN student, replayed from
// webdistill's initial weights and batches, and the same teacher and MLPs for inference latency.
// `tf` is the global from the vendored tf.min.js (www/bench.html).

import { fetchBytes, idxPayload, parseSafetensors } from "./files.js";

const ASSETS = new URL("../generated/", import.meta.url);
const MEAN = 0.1307; // src/data/mnist.rs PIXEL_MEAN / PIXEL_STD
const STD = 0.3081;

/** Switches TF.js to `backend` ("webgpu", "wasm" or "cpu"); false if it cannot start here. */
export async function useBackend(backend) {
  if (backend === "wasm") tf.wasm.setWasmPaths(new URL("vendor/tfjs/", ASSETS).href);
  const ok = await tf.setBackend(backend);
  await tf.ready();
  return ok && tf.getBackend() === backend;
}

/** Training images of shard 0, labels and test images, normalised as webdistill does. */
export async function loadData() {
  const pixels = await idxPayload(new URL("mnist/train-images-0.idx.gz", ASSETS));
  const labels = await idxPayload(new URL("mnist/train-labels.idx.gz", ASSETS));
  const test = await idxPayload(new URL("mnist/test-images.idx.gz", ASSETS));
  const testLabels = await idxPayload(new URL("mnist/test-labels.idx.gz", ASSETS));
  const teacher = parseSafetensors(await fetchBytes(new URL("teacher.safetensors", ASSETS)));
  return { pixels, labels, test, testLabels, teacher };
}

function normalised(pixels, rows) {
  const out = new Float32Array(rows.length * 784);
  rows.forEach((row, i) => {
    for (let p = 0; p < 784; p++) out[i * 784 + p] = (pixels[row * 784 + p] / 255 - MEAN) / STD;
  });
  return out;
}

/**
 * A student as TF.js variables from webdistill's safetensors, and its forward pass: the MLP
 * (src/model/student/mlp.rs; burn keeps W as [in, out]) or, when the spec has `channels`, the CNN
 * (src/model/student/cnn.rs: conv5×5 → ReLU → 2×2 max-pool, twice, valid padding, then one dense
 * layer reading the features in burn's NCHW order). Returns {vars, forward}.
 */
function studentFrom(tensors, spec) {
  // burn keeps conv filters as [out, in, kh, kw]; TF.js wants [kh, kw, in, out].
  const variable = (name, perm) => {
    const stored = tf.tensor(tensors.get(name).data, tensors.get(name).shape);
    const value = perm ? tf.transpose(stored, perm) : stored;
    const v = tf.variable(value);
    tf.dispose([stored, value]);
    return v;
  };
  if (spec.channels?.length) {
    const w = { c1: variable("conv1.weight", [2, 3, 1, 0]), b1: variable("conv1.bias"), c2: variable("conv2.weight", [2, 3, 1, 0]),
      b2: variable("conv2.bias"), out: variable("output.weight"), bias: variable("output.bias") };
    const block = (h, c, b) => tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c, 1, "valid"), b)), 2, 2, "valid");
    const forward = (x) => {
      const batch = x.shape[0];
      const h = block(block(tf.reshape(x, [batch, 28, 28, 1]), w.c1, w.b1), w.c2, w.b2); // [batch, 4, 4, c2]
      const features = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [batch, -1]); // [batch, c2·16], burn's order
      return tf.add(tf.matMul(features, w.out), w.bias);
    };
    return { vars: Object.values(w), forward };
  }
  const layers = [...spec.hidden.map((_, i) => `hidden.${i}`), "output"].map((n) => ({ w: variable(`${n}.weight`), b: variable(`${n}.bias`) }));
  const forward = (x) => layers.reduce((h, { w, b }, i) => {
    const z = tf.add(tf.matMul(h, w), b);
    return i < layers.length - 1 ? tf.relu(z) : z;
  }, x);
  return { vars: layers.flatMap((l) => [l.w, l.b]), forward };
}

/** Hinton KD: α·T²·KL(p_t ‖ p_s) + (1−α)·CE(s, y), every example labeled (src/distill.rs). */
function hintonLoss(logits, teacherLogits, oneHot, temperature, alpha) {
  const batch = logits.shape[0];
  const logPs = tf.logSoftmax(tf.div(logits, temperature));
  const logPt = tf.logSoftmax(tf.div(teacherLogits, temperature));
  const kl = tf.div(tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs))), batch);
  const ce = tf.div(tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)))), batch);
  return tf.add(tf.mul(kl, alpha * temperature * temperature), tf.mul(ce, 1 - alpha));
}

/**
 * Replays webdistill's benchmark run `bench` (a TrainingBench with its replay): same initial
 * weights, same batches in the same order, the same loss, Adam(lr, 0.9, 0.999, 1e-8). All batches are on the
 * device before the clock starts; the loss is read back once, after the last timed step.
 */
export async function trainingThroughput(bench, data) {
  const { spec, replay } = bench;
  const B = spec.batch_size;
  const total = spec.checked_steps + spec.warmup + spec.steps;
  const rows = Array.from(replay.rows.subarray(0, total * B));
  const { vars, forward } = studentFrom(parseSafetensors(replay.initial_weights), spec);
  const batches = [];
  for (let s = 0; s < total; s++) {
    const r = rows.slice(s * B, (s + 1) * B);
    batches.push({
      x: tf.tensor2d(normalised(data.pixels, r), [B, 784]),
      y: tf.oneHot(tf.tensor1d(r.map((row) => data.labels[row]), "int32"), 10).toFloat(),
      t: tf.tensor2d(replay.teacher_logits.subarray(s * B * 10, (s + 1) * B * 10), [B, 10]),
    });
  }
  // The spec's loss and step size: webdistill's page defaults unless the spec says otherwise.
  const optimizer = tf.train.adam(spec.learning_rate, 0.9, 0.999, 1e-8);
  const step = (s) => optimizer.minimize(
    () => hintonLoss(forward(batches[s].x), batches[s].t, batches[s].y, spec.temperature, spec.alpha), true, vars);
  const firstLosses = [];
  let s = 0;
  for (; s < spec.checked_steps; s++) {
    const loss = step(s);
    firstLosses.push((await loss.data())[0]);
    loss.dispose();
  }
  for (; s < spec.checked_steps + spec.warmup; s++) step(s).dispose();
  await tf.zeros([1]).data(); // the warm-up's queue drained before the clock starts
  const start = performance.now();
  let last = null;
  for (; s < total; s++) {
    last?.dispose();
    last = step(s);
  }
  const finalLoss = (await last.data())[0];
  const ms = performance.now() - start;
  last.dispose();
  for (const b of batches) tf.dispose([b.x, b.y, b.t]);
  tf.dispose(vars);
  optimizer.dispose();
  return {
    spec, backend: `tfjs-${tf.getBackend()}`, ms_per_step: ms / spec.steps,
    examples_per_s: (spec.steps * B) / (ms / 1000), first_losses: firstLosses, final_loss: finalLoss,
  };
}

/**
 * The bundled teacher in TF.js (src/model/teacher.rs): each member CNN with NHWC convolutions,
 * flattened in NCHW order as burn does; the members' logits averaged. Weights are uploaded once;
 * returns {forward, dispose}.
 */
function teacherModel(t) {
  const tensor = (name) => tf.tensor(t.get(name).data, t.get(name).shape);
  // burn keeps conv filters as [out, in, kh, kw]; TF.js wants [kh, kw, in, out].
  const filter = (name) => tf.tidy(() => tf.transpose(tensor(name), [2, 3, 1, 0]));
  const members = [];
  for (let i = 0; t.has(`members.${i}.conv1.weight`); i++) {
    const p = `members.${i}.`;
    members.push({ c1: filter(`${p}conv1.weight`), b1: tensor(`${p}conv1.bias`), c2: filter(`${p}conv2.weight`), b2: tensor(`${p}conv2.bias`),
      f1: tensor(`${p}fc1.weight`), g1: tensor(`${p}fc1.bias`), f2: tensor(`${p}fc2.weight`), g2: tensor(`${p}fc2.bias`) });
  }
  const block = (h, c, b) => tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c, 1, "valid"), b)), 2, 2, "valid");
  const member = (w, x) => {
    const batch = x.shape[0];
    let h = block(block(tf.reshape(x, [batch, 28, 28, 1]), w.c1, w.b1), w.c2, w.b2); // [batch, 4, 4, c2]
    h = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [batch, -1]); // [batch, c2·16], burn's order
    return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(h, w.f1), w.g1)), w.f2), w.g2);
  };
  const forward = (x) => (members.length === 1 ? member(members[0], x) : tf.div(tf.addN(members.map((w) => member(w, x))), members.length));
  return { forward, dispose: () => members.forEach((w) => tf.dispose(Object.values(w))) };
}

/**
 * The teacher labelling `images` test images in batches of 256 (src/run/labelling.rs LABEL_BATCH), each
 * batch's logits read back: images per second, as webdistill's benchLabelling measures it.
 */
export async function labelling(data, images, batch = 256) {
  const teacher = teacherModel(data.teacher);
  const run = async () => {
    for (let at = 0; at < images; at += batch) {
      const rows = Array.from({ length: Math.min(batch, images - at) }, (_, i) => at + i);
      const logits = tf.tidy(() => teacher.forward(tf.tensor2d(normalised(data.test, rows), [rows.length, 784])));
      await logits.data();
      logits.dispose();
    }
  };
  await run(); // warm-up: kernels compiled, weights resident
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  teacher.dispose();
  return { images, batch, seconds, images_per_s: images / seconds, backend: `tfjs-${tf.getBackend()}` };
}

/**
 * Time per batch of predict (forward + argmax + readback) at each batch size, timed as
 * webdistill's src/eval/latency.rs does: as many calls in a row as fill a window of ≥ 50 ticks
 * of the clock (and ≥ 5 ms), the median of 5 windows, after 3 warm-up calls. Also the teacher's
 * accuracy on the batch, proving the port computes what webdistill's teacher does.
 */
export async function latency(kind, data, batches, { hidden, weights } = {}) {
  const student = kind === "student" ? studentFrom(parseSafetensors(weights), { hidden }) : null;
  const teacher = student ? null : teacherModel(data.teacher);
  const forward = (x) => (student ? student.forward(x) : teacher.forward(x));
  const out = [];
  for (const batch of batches) {
    const x = tf.tensor2d(normalised(data.test, Array.from({ length: batch }, (_, i) => i)), [batch, 784]);
    let predictions = null;
    const call = async () => {
      const p = tf.tidy(() => tf.argMax(forward(x), 1));
      predictions = await p.data();
      p.dispose();
    };
    const timing = await timeCalls(call);
    x.dispose();
    out.push({ batch_size: batch, ms_per_batch: timing.ms, ms_per_image: timing.ms / batch, ...timing,
      backend: `tfjs-${tf.getBackend()}`, predictions: Array.from(predictions) });
  }
  if (student) tf.dispose(student.vars);
  teacher?.dispose();
  return out;
}

/** The clock's smallest step, ms (the least of three tries). */
function clockResolution() {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    let a = performance.now();
    while (a === start) a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    best = Math.min(best, b - a);
  }
  return best;
}

/** src/eval/latency.rs time_calls, in JS: warm-up, a window of ≥ 50 ticks, median of 5 windows. */
async function timeCalls(call) {
  for (let i = 0; i < 3; i++) await call();
  const clock = clockResolution();
  const target = Math.max(50 * clock, 5);
  const window = async (calls) => {
    const start = performance.now();
    for (let i = 0; i < calls; i++) await call();
    return performance.now() - start;
  };
  let calls = 1;
  for (;;) {
    const took = await window(calls);
    if (took >= target || calls >= 16384) break;
    calls = Math.min(16384, Math.max(calls + 1, Math.ceil(calls * (took > 0 ? target / took : 16) * 1.2)));
  }
  const perCall = [];
  for (let i = 0; i < 5; i++) perCall.push((await window(calls)) / calls);
  perCall.sort((a, b) => a - b);
  return { ms: perCall[2], resolved: true, clock_ms: clock, calls_per_window: calls, windows: 5, warmup: 3 };
}
