// The benchmark (docs/BENCHMARKS.md): in one headless Chromium, the same training workload and
// inference latency on webdistill (WebGPU, CPU) and TensorFlow.js 4.22 (webgpu, wasm); natively,
// webdistill's CLI on the same machine; and what the page costs to load (wasm size, first-load
// bytes, time from navigation to ready). Prints tables and writes bench-results/bench.json.
//
// npm run bench      (scripts/bench.sh builds what it needs first)
// BENCH_STEPS=40 BENCH_WARMUP=10 to change the timed and warm-up steps; BENCH_PARTS=sizes,load to
// run only some of sizes, load, newcomer, kinds, browser, native, profile (the others are kept
// from the last bench.json); BENCH_KINDS=tree,cnn to time only some kinds in "kinds";
// BENCH_WEBGPU=0 to leave WebGPU out of "browser".

import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { serve } from "./serve.mjs";
import { distill, resultsTable } from "../tests/browser/support.mjs";

const FLAGS = ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"]; // DEVELOPERS.md
const STEPS = Number(process.env.BENCH_STEPS ?? 40);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);
// The training workload: MLPs of 64 and 800-800 units, and the CNN student at its default size
// (4-8 channels, src/settings/schema.rs), as src/bin/webdistill/bench.rs trains them natively.
const SPECS = [{ hidden: [64] }, { hidden: [800, 800] }, { channels: [4, 8] }]
  .map((student) => ({ hidden: [], ...student, batch_size: 128, checked_steps: 3, warmup: WARMUP, steps: STEPS, seed: 1 }));
const MLP_SPECS = SPECS.filter((spec) => !spec.channels);
/** "MLP 784-64-10", "CNN 4-8". */
const specName = (spec) => (spec.channels?.length ? `CNN ${spec.channels.join("-")}` : `MLP 784-${spec.hidden.join("-")}-10`);
const OUT = "bench-results";
const ALL_PARTS = ["sizes", "load", "newcomer", "kinds", "browser", "native", "profile"];
/** The profile's step counts: few, because a step takes up to seconds on SwiftShader. */
const PROFILE = { short: 2, long: 5, warmup: 5 };

const server = await serve(0);
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: [...FLAGS, "--enable-unsafe-webgpu"] });
try {
  const parts = (process.env.BENCH_PARTS ?? ALL_PARTS.join(",")).split(",");
  const results = parts.length < ALL_PARTS.length && exists(`${OUT}/bench.json`) ? JSON.parse(readFileSync(`${OUT}/bench.json`, "utf8")) : {};
  results.machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30), chromium: browser.version(), date: new Date().toISOString() };
  const measures = { sizes, load: loadTimes, newcomer, kinds, browser: inBrowser, native, profile };
  mkdirSync(OUT, { recursive: true });
  for (const part of ALL_PARTS.filter((p) => parts.includes(p))) {
    results[part] = await measures[part]();
    // Written after every part: a part that fails later (after half an hour of SwiftShader) keeps
    // what came before, and BENCH_PARTS can rerun only what is missing.
    writeFileSync(`${OUT}/bench.json`, JSON.stringify(results, null, 2) + "\n");
  }
  print(results);
  console.log(`\nwritten: ${OUT}/bench.json`);
} finally {
  await browser.close();
  server.close();
}

/** The wasm module raw (as rustc links it), as shipped (after wasm-opt), and gzip-compressed. */
function sizes() {
  const gz = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
  const manifest = JSON.parse(readFileSync("www/generated/manifest.json", "utf8")).files;
  const shipped = "www/generated/pkg/webdistill_bg.wasm";
  // The page starts on the CPU build (www/worker-modules.js); the WebGPU build comes after
  // "ready", and only where the browser has WebGPU.
  const shippedCpu = "www/generated/pkg-cpu/webdistill_bg.wasm";
  const raw = ["wasm-dist", "wasm"].map((p) => `target/wasm32-unknown-unknown/${p}/webdistill.wasm`).find((p) => exists(p));
  // What the page fetches before it is ready (www/worker.js start()): code, teacher, test set and
  // training labels; training images come when a run needs them. The IDX files are already gzip;
  // the rest the server gzips.
  const page = readdirSync("www").filter((f) => /\.(js|html|css)$/.test(f) && f !== "bench.html").map((f) => `www/${f}`);
  const code = [...page, "www/generated/pkg-cpu/webdistill.js", shippedCpu,
    "www/generated/vendor/uPlot.esm.js", "www/generated/vendor/uPlot.min.css", "www/generated/manifest.json"];
  const data = ["teacher.safetensors", "teacher.json", "mnist/test-images.idx.gz", "mnist/test-labels.idx.gz",
    "mnist/train-labels.idx.gz"];
  const codeGz = code.reduce((n, f) => n + gz(f), 0);
  const dataGz = data.reduce((n, f) => n + (f.endsWith(".gz") ? manifest[f].bytes : gz(`www/generated/${f}`)), 0);
  return {
    wasm_raw: raw ? statSync(raw).size : null, wasm_raw_path: raw ?? null,
    wasm_shipped: statSync(shipped).size, wasm_gzip: gz(shipped),
    wasm_cpu_shipped: statSync(shippedCpu).size, wasm_cpu_gzip: gz(shippedCpu),
    first_load_gzip: codeGz + dataGz, first_load_code_gzip: codeGz, first_load_data_gzip: dataGz,
  };
}

function exists(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Watches for the moment the status first reads "ready" (Distill enabled): with "auto" the page
 * may then time the backends in the background and the status says so, so polling for "ready"
 * would find it only after the timing. Returns a function that waits for the next navigation's
 * "ready" and gives its ms since that navigation.
 */
async function watchReady(page) {
  await page.addInitScript(() => {
    document.addEventListener("DOMContentLoaded", () => {
      const status = document.querySelector("#status");
      const observer = new MutationObserver(() => {
        if (status.textContent !== "ready") return;
        window.readyAt = performance.now();
        observer.disconnect();
      });
      observer.observe(status, { childList: true, characterData: true, subtree: true });
    });
  });
  return async () => {
    await page.waitForFunction(() => window.readyAt !== undefined, null, { timeout: 300_000 });
    return page.evaluate(() => window.readyAt);
  };
}

/** ms from navigation to the page's "ready": cold (empty caches), then a reload (Cache API). */
async function loadTimes() {
  const out = {};
  for (const [name, args] of [["webgpu", [...FLAGS, "--enable-unsafe-webgpu"]], ["cpu", FLAGS]]) {
    const b = name === "webgpu" ? browser : await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args });
    const context = await b.newContext();
    const page = await context.newPage();
    const ready = await watchReady(page);
    await page.goto(url);
    const cold = await ready();
    await page.reload();
    const warm = await ready();
    const backend = await page.textContent("#backend-badge");
    out[name] = { backend, cold_ms: cold, reload_ms: warm };
    await context.close();
    if (b !== browser) await b.close();
  }
  return out;
}

/**
 * A newcomer's visit (issue 23), in a fresh Chromium without WebGPU (so the CPU backend): what
 * the page and its workers fetch before "ready", file by file, as sent (the server gzips what is
 * not gzip already); navigation → ready; then the default run from the click to its results,
 * with every core and with one (the page's `cores=1` link key).
 */
async function newcomer() {
  return { all_cores: await visit(""), one_core: await visit("#cores=1") };
}

/** Each kind of student's default run (issue 19: ≤ 45 s each), CPU backend, click to results. */
async function kinds() {
  const out = {};
  for (const kind of (process.env.BENCH_KINDS ?? "linear,mlp,tree,cnn").split(",")) out[kind] = await visit(`#student=${kind}`);
  return out;
}

/**
 * One visit to the page at `hash` in a fresh browser without WebGPU (so each run labels its
 * transfer set): bytes fetched before ready, time to ready, and a click on Distill timed to its
 * results, with how long the status line said each thing.
 */
async function visit(hash) {
  const b = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: FLAGS });
  try {
    const page = await (await b.newContext()).newPage();
    const fetched = [];
    page.on("requestfinished", async (request) => {
      const sizes = await request.sizes().catch(() => null);
      const started = request.timing().startTime;
      fetched.push({ file: new URL(request.url()).pathname, bytes: sizes?.responseBodySize ?? 0, started });
    });
    const ready = await watchReady(page);
    await page.goto(`${url}${hash}`);
    const readyMs = await ready();
    const readyEpoch = await page.evaluate(() => performance.timeOrigin + window.readyAt);
    await page.evaluate(() => {
      const status = document.querySelector("#status");
      window.statuses = [[performance.now(), status.textContent]];
      new MutationObserver(() => window.statuses.push([performance.now(), status.textContent]))
        .observe(status, { childList: true, characterData: true, subtree: true });
    });
    const clicked = Date.now();
    await distill(page, 900_000);
    const seconds = (Date.now() - clicked) / 1000;
    const statuses = await page.evaluate(() => window.statuses);
    const phases = {};
    statuses.forEach(([at, text], i) => {
      const next = statuses[i + 1]?.[0] ?? at;
      phases[text] = Math.round(((phases[text] ?? 0) + (next - at)) * 10) / 10;
    });
    const rows = await resultsTable(page);
    const before = fetched.filter((f) => f.started <= readyEpoch);
    return {
      ready_ms: readyMs, first_load_bytes: before.reduce((n, f) => n + f.bytes, 0),
      files: Object.fromEntries(before.map((f) => [f.file, f.bytes])),
      run_s: seconds, phases_ms: phases, student: rows.distilled.architecture,
      distilled: rows.distilled.accuracy, scratch: rows.scratch?.accuracy ?? null,
    };
  } finally {
    await b.close();
  }
}

async function inBrowser() {
  const page = await browser.newPage();
  page.on("console", (m) => process.stderr.write(`  [page] ${m.text()}\n`));
  page.on("pageerror", (e) => process.stderr.write(`  [page error] ${e.message}\n`));
  await page.goto(`${url}bench.html`);
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "ready");
  // BENCH_WEBGPU=0: the CPU backends only (WebGPU here is SwiftShader, and slow).
  const webgpu = process.env.BENCH_WEBGPU !== "0";
  const config = { specs: SPECS, webdistill: [...(webgpu ? ["webgpu"] : []), "cpu"], tfjs: [...(webgpu ? ["webgpu"] : []), "wasm"] };
  page.setDefaultTimeout(3_600_000);
  return page.evaluate((c) => window.runBench(c), config);
}

/** WebGPU calls per training step, webdistill vs TF.js (www/bench/gpu-counters.js). */
async function profile() {
  const page = await browser.newPage();
  // An error thrown inside a wrapped WebGPU call can leave a promise pending forever: fail instead.
  const failed = new Promise((_, reject) => page.on("pageerror", (e) => reject(new Error(`profile page: ${e.message}`))));
  await page.goto(`${url}bench.html`);
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "ready");
  page.setDefaultTimeout(3_600_000);
  const rows = await Promise.race([page.evaluate((c) => window.runProfile(c), { specs: MLP_SPECS, ...PROFILE }), failed]);
  // The main thread of the page during webdistill's timed steps: on WebGPU (the small student,
  // where host costs would show) and on the CPU backend (both students).
  const host = [];
  for (const [backend, spec] of [["webgpu", SPECS[0]], ["cpu", SPECS[0]], ["cpu", SPECS[1]]]) {
    host.push(await hostProfile(page, backend, { ...spec, checked_steps: 0, warmup: 5, steps: backend === "cpu" ? 60 : 20 }));
  }
  await page.close();
  return { training: rows, host };
}

/**
 * Where the page's main thread spends webdistill's timed training steps: Chromium's sampling CPU
 * profiler (DevTools protocol) around a run on a settled session, self time per function, the
 * most first. Only samples inside the timed steps count (the call also selects the batches and
 * runs the teacher over them): the window ends when the page saw the run end.
 */
async function hostProfile(page, backend, spec) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await page.evaluate(([b, s]) => window.runSteps(b, { ...s, steps: 5 }), [backend, spec]);
  await cdp.send("Profiler.start");
  const run = await page.evaluate(([b, s]) => window.runSteps(b, s), [backend, spec]);
  const { profile } = await cdp.send("Profiler.stop");
  const sinceEnd = (await page.evaluate(() => performance.now())) - run.ended;
  const to = profile.endTime - sinceEnd * 1000; // µs, the profiler's clock
  const from = to - run.timed_ms * 1000;
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i];
    if (t < from || t > to) return;
    const f = byId.get(id).callFrame;
    const name = f.functionName || (f.url ? `(anonymous ${f.url.split("/").at(-1)})` : "(root)");
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([name, ms]) => ({ name, ms, share: ms / total }));
  return { backend, spec, run, sampled_ms: total, top };
}

/** The CLI on both cores (rayon's default), then on one, as the browser's wasm runs. */
function native() {
  const run = (env) => {
    const out = execFileSync("target/release/webdistill", ["bench", "--json", "--steps", String(STEPS), "--warmup", String(WARMUP)],
      { encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, ...env } });
    const r = JSON.parse(out);
    return { training: r.training.map(({ replay, ...t }) => t), labelling: r.labelling, latency: Object.fromEntries(r.latency) };
  };
  return { cpu: run({}), cpu_1_thread: run({ RAYON_NUM_THREADS: "1" }) };
}

// ---- printing -------------------------------------------------------------------------------

function print(r) {
  const s = r.sizes;
  const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
  if (s) {
    console.log(`\nwasm: ${s.wasm_raw ? mb(s.wasm_raw) : "?"} raw → ${mb(s.wasm_shipped)} shipped → ${mb(s.wasm_gzip)} gzip`);
    console.log(`wasm, CPU build (what the page starts on): ${mb(s.wasm_cpu_shipped)} shipped → ${mb(s.wasm_cpu_gzip)} gzip`);
    console.log(`first load (gzip): ${mb(s.first_load_gzip)} = code ${mb(s.first_load_code_gzip)} + teacher and data ${mb(s.first_load_data_gzip)}`);
  }
  for (const [k, v] of Object.entries(r.newcomer ?? {})) {
    console.log(`newcomer (${k}, CPU backend): ${mb(v.first_load_bytes)} before ready, ready in ${(v.ready_ms / 1000).toFixed(2)} s, default run ${v.run_s.toFixed(1)} s click to results (distilled ${v.distilled}, scratch ${v.scratch})`);
    console.log(`  the run's statuses, ms: ${JSON.stringify(v.phases_ms)}`);
    console.log(`  fetched before ready: ${Object.entries(v.files).map(([f, n]) => `${f} ${(n / 1e6).toFixed(3)} MB`).join(", ")}`);
  }
  for (const [k, v] of Object.entries(r.kinds ?? {})) {
    console.log(`default run, student=${k} (${v.student}), CPU backend: ${v.run_s.toFixed(1)} s click to results (distilled ${v.distilled}, scratch ${v.scratch}); statuses, ms: ${JSON.stringify(v.phases_ms)}`);
  }
  for (const [k, v] of Object.entries(r.load ?? {})) console.log(`navigation → ready (${v.backend}): ${(v.cold_ms / 1000).toFixed(1)} s cold, ${(v.reload_ms / 1000).toFixed(1)} s on reload`);

  if (r.browser && r.native) printTraining(r);
  if (r.profile) printProfile(r.profile.training);
  for (const h of r.profile?.host ?? []) printHost(h);
}

function printTraining(r) {
  const peers = [
    ["webdistill WebGPU", r.browser.webdistill.webgpu], ["webdistill CPU (wasm)", r.browser.webdistill.cpu],
    ["TF.js webgpu", r.browser.tfjs.webgpu], ["TF.js wasm", r.browser.tfjs.wasm], ["TF.js cpu (JS)", r.browser.tfjs.cpu], ["native webdistill CPU", r.native.cpu],
    ["native CPU, 1 thread", r.native.cpu_1_thread],
  ].filter(([, v]) => v);
  const ref = { "webdistill WebGPU": null, "webdistill CPU (wasm)": null, "TF.js webgpu": "webdistill WebGPU", "TF.js wasm": "webdistill CPU (wasm)", "TF.js cpu (JS)": "webdistill CPU (wasm)",
    "native webdistill CPU": "webdistill CPU (wasm)", "native CPU, 1 thread": "webdistill CPU (wasm)" };
  const byName = Object.fromEntries(peers);
  SPECS.forEach((spec, i) => {
    console.log(`\ntraining ${specName(spec)}, batch ${spec.batch_size}, Hinton KD (the page's T, α and lr), ${spec.steps} timed steps`);
    console.log(`${"".padEnd(24)}${"ms/step".padStart(10)}${"examples/s".padStart(12)}${"  vs webdistill".padEnd(30)}first losses`);
    for (const [name, v] of peers) {
      const t = v.training[i];
      if (!t) continue; // a bench.json from before this student was in the workload
      if (t.unsupported) {
        console.log(`${name.padEnd(24)}cannot train it (${t.unsupported})`);
        continue;
      }
      const base = ref[name] && byName[ref[name]]?.training[i];
      const ratio = base ? `  ${(base.examples_per_s / t.examples_per_s).toFixed(2)}× (${ref[name]})` : "";
      console.log(`${name.padEnd(24)}${t.ms_per_step.toFixed(2).padStart(10)}${Math.round(t.examples_per_s).toString().padStart(12)}${ratio.padEnd(30)}${t.first_losses.map((l) => l.toFixed(5)).join(" ")}`);
    }
  });
  console.log(`\nthe teacher labelling 10,000 images in batches of 256 (images/s)`);
  for (const [name, v] of peers) {
    if (!v.labelling) continue;
    const wasm = byName["TF.js wasm"]?.labelling;
    const vs = wasm && name.startsWith("webdistill CPU") ? `  ${(v.labelling.images_per_s / wasm.images_per_s).toFixed(2)}× TF.js wasm` : "";
    console.log(`${name.padEnd(24)}${Math.round(v.labelling.images_per_s).toString().padStart(10)}${vs}`);
  }
  console.log(`\ninference, ms per batch (batch 1 | batch 256; median of windows of calls)`);
  for (const [name, v] of peers.filter(([, v]) => v.latency)) {
    const cells = Object.entries(v.latency).map(([m, l]) => `${m}: ${l[0].ms_per_batch.toFixed(3)} | ${l.at(-1).ms_per_batch.toFixed(2)}`);
    console.log(`${name.padEnd(24)}${cells.join("   ")}`);
  }
  for (const [name, v] of peers) if (v.settle_ms_per_step) console.log(`${name}: settled (V8 tier-up) after ${v.settle_ms_per_step.length} untimed passes of the small student: ${v.settle_ms_per_step.map((ms) => ms.toFixed(2)).join(", ")} ms/step`);
  for (const [b, v] of Object.entries(r.browser.tfjs).filter(([, v]) => v.teacher_port_accuracy != null)) console.log(`TF.js ${b} teacher port: ${(v.teacher_port_accuracy * 100).toFixed(1)}% on the first 256 test images`);
  for (const skipped of r.browser.skipped) console.log(`skipped: ${skipped}`);
}

function printHost(h) {
  console.log(`\nthe page's main thread during ${h.spec.steps} timed webdistill ${h.backend} steps of 784-${h.spec.hidden.join("-")}-10 (${h.run.ms_per_step.toFixed(2)} ms/step; ${h.sampled_ms.toFixed(0)} ms sampled), self time:`);
  for (const f of h.top) console.log(`  ${f.name.slice(0, 90).padEnd(90)}${f.ms.toFixed(1).padStart(9)} ms ${(f.share * 100).toFixed(1).padStart(5)}%`);
}

function printProfile(rows) {
  const keys = ["kernel_ms", "dispatches", "invocations", "compute_passes", "submits", "buffers_created", "bind_groups_created", "uploads", "upload_bytes", "readbacks", "pipelines_created"];
  console.log(`\nWebGPU calls per training step (between the readbacks that end the warm-up and the timed steps)`);
  console.log(`${"".padEnd(30)}${"ms/step".padStart(9)}${keys.map((k) => k.replaceAll("_", " ").padStart(12)).join("")}`);
  for (const row of rows) {
    for (const lib of ["webdistill", "tfjs"]) {
      for (const [steps, v] of Object.entries(row[lib])) {
        const name = `${lib} 784-${row.hidden.join("-")}-10 ×${steps}`;
        console.log(`${name.padEnd(30)}${v.ms_per_step.toFixed(1).padStart(9)}${keys.map((k) => (Math.round(v.per_step[k] * 10) / 10).toString().padStart(12)).join("")}`);
      }
    }
  }
  console.log(`\nper step (longest run): the kernels taking the most device time (timestamps around each dispatch), and every matrix product`);
  for (const row of rows) {
    for (const lib of ["webdistill", "tfjs"]) {
      const v = Object.values(row[lib]).at(-1).per_step;
      console.log(`${lib} 784-${row.hidden.join("-")}-10: ${v.kernels.length} kernels`);
      const shown = v.kernels.filter((k, i) => i < 6 || /matmul/i.test(k.name));
      for (const k of shown) console.log(`  ${k.name.slice(0, 64).padEnd(64)}${k.ms.toFixed(2).padStart(9)} ms${k.dispatches.toFixed(1).padStart(6)} dispatches${Math.round(k.workgroups).toString().padStart(9)} workgroups${Math.round(k.invocations).toString().padStart(10)} invocations`);
    }
  }
}
