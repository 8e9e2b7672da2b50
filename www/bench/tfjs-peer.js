// TensorFlow.js 4.22's side of the benchmark: the same function as webdistill's training step
// (src/distill.rs hinton_loss, src/train.rs Adam), replayed from webdistill's initial weights
// and batches, and the same teacher and students for inference latency.
// `tf` is the global from the vendored tf.min.js (www/bench.html).

import { fetchBytes, idxPayload, parseSafetensors } from "./files.js";

const ASSETS = new URL("../generated/", import.meta.url);
const MEAN = 0.1307; // src/data/mnist.rs PIXEL_MEAN / PIXEL_STD
const STD = 0.3081;

/** Switches TF.js to `backend` ("webgpu" or "wasm"); false if it cannot start here. */
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

/** The student MLP as TF.js variables, from webdistill's safetensors (burn keeps W as [in, out]). */
function studentFrom(tensors, hidden) {
  const names = [...hidden.map((_, i) => `hidden.${i}`), "output"];
  return names.map((n) => ({
    w: tf.variable(tf.tensor(tensors.get(`${n}.weight`).data, tensors.get(`${n}.weight`).shape)),
    b: tf.variable(tf.tensor(tensors.get(`${n}.bias`).data, tensors.get(`${n}.bias`).shape)),
  }));
}

function studentForward(layers, x) {
  return layers.reduce((h, { w, b }, i) => {
    const z = tf.add(tf.matMul(h, w), b);
    return i < layers.length - 1 ? tf.relu(z) : z;
  }, x);
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
 * weights, same batches in the same order, Adam(1e-3, 0.9, 0.999, 1e-8). All batches are on the
 * device before the clock starts; the loss is read back once, after the last timed step.
 */
export async function trainingThroughput(bench, data) {
  const { spec, replay } = bench;
  const B = spec.batch_size;
  const total = spec.checked_steps + spec.warmup + spec.steps;
  const rows = Array.from(replay.rows.subarray(0, total * B));
  const layers = studentFrom(parseSafetensors(replay.initial_weights), spec.hidden);
  const vars = layers.flatMap((l) => [l.w, l.b]);
  const batches = [];
  for (let s = 0; s < total; s++) {
    const r = rows.slice(s * B, (s + 1) * B);
    batches.push({
      x: tf.tensor2d(normalised(data.pixels, r), [B, 784]),
      y: tf.oneHot(tf.tensor1d(r.map((row) => data.labels[row]), "int32"), 10).toFloat(),
      t: tf.tensor2d(replay.teacher_logits.subarray(s * B * 10, (s + 1) * B * 10), [B, 10]),
    });
  }
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const step = (s) => optimizer.minimize(
    () => hintonLoss(studentForward(layers, batches[s].x), batches[s].t, batches[s].y, 4, 0.9), true, vars);
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
 * The bundled teacher CNN in TF.js (src/model/teacher.rs): NHWC convolutions, flattened in
 * NCHW order as burn does. Weights are uploaded once; returns {forward, dispose}.
 */
function teacherModel(t) {
  const tensor = (name) => tf.tensor(t.get(name).data, t.get(name).shape);
  // burn keeps conv filters as [out, in, kh, kw]; TF.js wants [kh, kw, in, out].
  const filter = (name) => tf.tidy(() => tf.transpose(tensor(name), [2, 3, 1, 0]));
  const w = { c1: filter("conv1.weight"), b1: tensor("conv1.bias"), c2: filter("conv2.weight"), b2: tensor("conv2.bias"),
    f1: tensor("fc1.weight"), g1: tensor("fc1.bias"), f2: tensor("fc2.weight"), g2: tensor("fc2.bias") };
  const block = (h, c, b) => tf.maxPool(tf.relu(tf.add(tf.conv2d(h, c, 1, "valid"), b)), 2, 2, "valid");
  const forward = (x) => {
    const batch = x.shape[0];
    let h = block(block(tf.reshape(x, [batch, 28, 28, 1]), w.c1, w.b1), w.c2, w.b2); // [batch, 4, 4, 32]
    h = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [batch, -1]); // [batch, 512], burn's order
    return tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(h, w.f1), w.g1)), w.f2), w.g2);
  };
  return { forward, dispose: () => tf.dispose(Object.values(w)) };
}

/**
 * Median ms per batch of predict (forward + argmax + readback) at each batch size, after
 * `warmup` runs: what webdistill's measure_latency (src/eval.rs) does. Also the teacher's
 * accuracy on the batch, proving the port computes what webdistill's teacher does.
 */
export async function latency(kind, data, batches, { hidden, weights } = {}) {
  const student = kind === "student" ? studentFrom(parseSafetensors(weights), hidden) : null;
  const teacher = student ? null : teacherModel(data.teacher);
  const forward = (x) => (student ? studentForward(student, x) : teacher.forward(x));
  const out = [];
  for (const batch of batches) {
    const x = tf.tensor2d(normalised(data.test, Array.from({ length: batch }, (_, i) => i)), [batch, 784]);
    const times = [];
    let predictions = null;
    for (let run = 0; run < 3 + 15; run++) {
      const start = performance.now();
      const p = tf.tidy(() => tf.argMax(forward(x), 1));
      predictions = await p.data();
      p.dispose();
      if (run >= 3) times.push(performance.now() - start);
    }
    x.dispose();
    times.sort((a, b) => a - b);
    const ms = times[7]; // the median of 15
    out.push({ batch_size: batch, ms_per_batch: ms, ms_per_image: ms / batch, warmup: 3, repeats: 15,
      backend: `tfjs-${tf.getBackend()}`, predictions: Array.from(predictions) });
  }
  if (student) tf.dispose(student.flatMap((l) => [l.w, l.b]));
  teacher?.dispose();
  return out;
}
