// Runs an exported student's TF.js layers model with TensorFlow.js itself (the runtime's own
// proof, issue 22) on MNIST IDX files, feeding raw grey levels 0-255 as [N, 28, 28, 1] float32 as
// the model says, and prints JSON on its last line: the test errors, the logits of the first
// `--keep` images, the model's metadata and input shape.
//
// usage: node scripts/tfjs-check.mjs MODEL.model.json IMAGES.idx LABELS.idx [--keep 100]

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";

function idx(path) {
  const data = readFileSync(path);
  const dims = data[3];
  const shape = Array.from({ length: dims }, (_, i) => data.readUInt32BE(4 + 4 * i));
  return { shape, values: data.subarray(4 + 4 * dims) };
}

const [modelPath, imagesPath, labelsPath] = process.argv.slice(2);
const keepAt = process.argv.indexOf("--keep");
const keep = keepAt > 0 ? Number(process.argv[keepAt + 1]) : 100;

await tf.setBackend("cpu");
const json = JSON.parse(readFileSync(modelPath, "utf8"));
// The weights files the manifest names, read from beside model.json, as a browser fetches them.
const specs = json.weightsManifest.flatMap((group) => group.weights);
const bins = json.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dirname(modelPath), p))));
const weightData = new Uint8Array(bins.reduce((n, b) => n + b.length, 0));
bins.reduce((at, b) => (weightData.set(b, at), at + b.length), 0);
const model = await tf.loadLayersModel(tf.io.fromMemory({
  modelTopology: json.modelTopology, weightSpecs: specs, weightData: weightData.buffer, userDefinedMetadata: json.userDefinedMetadata,
}));

const images = idx(imagesPath);
const labels = idx(labelsPath).values;
const n = images.shape[0];
let errors = 0;
const logits = [];
for (let start = 0; start < n; start += 1000) {
  const count = Math.min(1000, n - start);
  const pixels = Float32Array.from(images.values.subarray(start * 784, (start + count) * 784));
  const out = tf.tidy(() => model.predict(tf.tensor4d(pixels, [count, 28, 28, 1])));
  const rows = await out.array();
  out.dispose();
  rows.forEach((row, i) => {
    if (row.indexOf(Math.max(...row)) !== labels[start + i]) errors += 1;
    if (logits.length < keep) logits.push(row);
  });
}
console.log(JSON.stringify({
  errors, total: n, logits, metadata: json.userDefinedMetadata ?? null, input: model.inputs[0].shape,
}));
