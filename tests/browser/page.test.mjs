// End to end in Chromium: distillation on the CPU and on WebGPU (SwiftShader), "auto" choosing by
// measuring, a GPU lost mid-run, invalid settings, and every start-up failure ending in a message.
// `node --test tests/browser/` after scripts/build-web.sh.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  QUICK, QUICK_HASH, distill, fill, openPage, percent, readCards, resultsTable, screenshot, shownMs, startServer, waitReady,
} from "./support.mjs";

let server;
let url;
before(async () => ({ server, url } = await startServer()));
after(() => server.close());

/** The comparison's table is plausible, every time is a resolved number, speed-ups match times. */
async function checkComparison(page) {
  const rows = await resultsTable(page);
  assert.ok(percent(rows.teacher.accuracy) >= 0.995, `teacher ${rows.teacher.accuracy}`);
  assert.ok(percent(rows.distilled.accuracy) > 0.8, `distilled ${rows.distilled.accuracy}`);
  assert.match(rows.scratch.accuracy, /^\d+\.\d\d%$/);
  assert.equal(rows.distilled.params, "25,450");
  assert.equal(rows.scratch.params, rows.distilled.params);
  const teacher = shownMs(rows.teacher.time);
  for (const model of ["teacher", "distilled", "scratch"]) {
    const ms = shownMs(rows[model].time);
    assert.ok(ms > 0, `${model}: ${rows[model].time}`);
    const speedup = Number.parseFloat(rows[model].speedup);
    assert.ok(Math.abs(speedup - teacher / ms) <= 0.1 * speedup + 0.1, `${model}: ${rows[model].speedup} vs ${teacher} / ${ms}`);
  }
  // The live curves got their points during the run.
  assert.ok(Number(await page.getAttribute("#accuracy-chart", "data-points")) >= 2);
  assert.ok(Number(await page.getAttribute("#card-distilled .spark", "data-points")) >= 2);
  return rows;
}

/** The builds of the wasm module (generated/pkg-cpu, generated/pkg) that `page` fetches. */
function watchBuilds(page) {
  const builds = new Set();
  page.on("request", (request) => {
    const build = request.url().match(/generated\/(pkg[^/]*)\/webdistill_bg\.wasm/)?.[1];
    if (build) builds.add(build);
  });
  return builds;
}

test("falls back to the CPU when WebGPU is unavailable, says so, fetches only the CPU build, and distills", { timeout: 300_000 }, async () => {
  let builds;
  const { browser, page, problems } = await openPage(`${url}#${QUICK_HASH}`, { webgpu: false, beforeLoad: (p) => (builds = watchBuilds(p)) });
  try {
    await waitReady(page);
    assert.equal(await page.textContent("#backend-badge"), "CPU (WebAssembly)");
    // The WebGPU build (five times the bytes) is of no use here.
    assert.deepEqual([...builds], ["pkg-cpu"]);
    assert.match(await page.textContent("#notices"), /Running on the CPU: WebGPU found no usable adapter/);
    await distill(page);
    await checkComparison(page);
    assert.match(await page.textContent("#results-caption"), /CPU/);
    const cards = await readCards(page);
    assert.match(cards.distilled.ratio, /smaller · [\d.]+× faster · [\d.]+ points (less|more) accurate than the teacher/);
    assert.match(await page.textContent("#story"), /^The distilled student is [\d.]+× smaller than the teacher and [\d.]+× faster per image/);
    assert.deepEqual(problems, []);
    await screenshot(page, "cpu-fallback");
  } finally {
    await browser.close();
  }
});

/** Makes the page's worker see SwiftShader as a hardware adapter (not a software fallback), so
 * that "auto" measures it as it would a GPU. */
async function playHardwareAdapter(page) {
  await page.route("**/worker-backend.js", async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace("Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter)", "false");
    assert.ok(body.includes("const fallback = false"), "the fallback flag is where this test expects it");
    await route.fulfill({ response, body });
  });
}

test("auto on a software adapter (SwiftShader) takes the CPU at once, says why, and fetches no WebGPU build", { timeout: 180_000 }, async () => {
  let builds;
  const { browser, page, problems } = await openPage(url, { beforeLoad: (p) => (builds = watchBuilds(p)) });
  try {
    await waitReady(page);
    await page.waitForFunction(() => document.body.dataset.startup === "done");
    assert.equal(await page.textContent("#backend-badge"), "CPU (WebAssembly)");
    assert.match(await page.textContent("#notices"), /Running on the CPU: this browser's WebGPU adapter \(google swiftshader\) is a software fallback/);
    assert.equal(await page.textContent("#status"), "ready", "nothing is being timed");
    assert.deepEqual([...builds], ["pkg-cpu"]);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("auto on a hardware adapter is ready on the CPU build, then fetches the WebGPU build, measures both backends, picks the CPU on SwiftShader and says why; the next visit remembers", { timeout: 300_000 }, async () => {
  let builds;
  // No service worker: it would serve the page's own worker-backend.js on the reload.
  const { browser, page, problems } = await openPage(url, {
    context: { serviceWorkers: "block" },
    beforeLoad: async (p) => {
      builds = watchBuilds(p);
      await playHardwareAdapter(p);
    },
  });
  try {
    // How soon it is ready is the benchmark's to measure (npm run bench, part "load").
    await waitReady(page);
    await page.waitForFunction(() => /Running on/.test(document.querySelector("#notices").textContent), null, { timeout: 60_000 });
    assert.equal(await page.textContent("#backend-badge"), "CPU (WebAssembly)");
    const notice = await page.textContent("#notices");
    assert.match(notice, /Running on CPU \(WebAssembly\): CPU: [\d.]+ ms a step, [\d.]+ ms per teacher batch; WebGPU/);
    assert.deepEqual([...builds].sort(), ["pkg", "pkg-cpu"]);
    await page.reload();
    await waitReady(page);
    assert.equal(await page.textContent("#backend-badge"), "CPU (WebAssembly)");
    assert.match(await page.textContent("#notices"), /measured on an earlier visit/);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("the scratch twin trained on a second core gives the numbers of a run on one core", { timeout: 300_000 }, async (t) => {
  const results = {};
  for (const [name, hash] of [["helper", QUICK_HASH], ["one core", `${QUICK_HASH}&cores=1`]]) {
    const { browser, page, problems } = await openPage(`${url}#${hash}`, { webgpu: false });
    try {
      if (name === "helper" && (await page.evaluate(() => navigator.hardwareConcurrency)) < 2) return t.skip("one core: no second worker");
      await waitReady(page);
      // What the progress line says while the run goes, as it changes.
      await page.evaluate(() => {
        window.phaseTexts = [];
        const text = document.querySelector("#phase-text");
        new MutationObserver(() => window.phaseTexts.push(text.textContent)).observe(text, { childList: true, characterData: true, subtree: true });
      });
      await distill(page);
      const rows = await checkComparison(page);
      // Each training line: the distilled student's step and the twin's epoch over its labels.
      // In lockstep every line shows both at the same step; on its own core the twin goes at
      // its own pace (here it starts after the distilled student, which may even finish first).
      const said = await page.evaluate(() => window.phaseTexts);
      const training = said.filter((t) => /^step [\d,]+ \/ [\d,]+: distilled/.test(t));
      assert.ok(training.length > 0, said.join("\n"));
      const inStep = (t) => {
        const m = t.match(/^step ([\d,]+) \/ [\d,]+: distilled.*without teacher, epoch ([\d.]+) over its ([\d,]+) labeled/);
        if (!m) return false;
        const twin = (Number(m[2]) * Number(m[3].replace(/,/g, ""))) / Number(QUICK.batch_size);
        return Math.abs(twin - Number(m[1].replace(/,/g, ""))) <= 1; // the epoch is shown to 0.1
      };
      assert.equal(training.every(inStep), name !== "helper", said.join("\n"));
      results[name] = { distilled: rows.distilled.errors, scratch: rows.scratch.errors };
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  }
  assert.deepEqual(results.helper, results["one core"]);
});

test("distills on WebGPU when asked", { timeout: 600_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#${QUICK_HASH}&epochs=1&backend=webgpu`);
  try {
    await waitReady(page);
    assert.equal(await page.textContent("#backend-badge"), "WebGPU");
    await distill(page);
    await checkComparison(page);
    assert.match(await page.textContent("#results-caption"), /WebGPU/);
    assert.deepEqual(problems, []);
    await screenshot(page, "webgpu");
  } finally {
    await browser.close();
  }
});

test("a GPU lost mid-run: the page says so, finishes the run on the CPU and keeps its settings", { timeout: 600_000 }, async () => {
  const { browser, page } = await openPage(`${url}#${QUICK_HASH}&seed=11&backend=webgpu`);
  try {
    await waitReady(page);
    await page.click("#distill");
    await page.waitForFunction(() => /labels|train/.test(document.querySelector("#status").textContent), null, { timeout: 120_000 });
    // As a driver reset would: the device the worker made is destroyed.
    const [worker] = page.workers();
    await worker.evaluate(() => self.webdistillGpuDevice.destroy());
    await page.waitForFunction(() => /WebGPU failed/.test(document.querySelector("#notices").textContent), null, { timeout: 60_000 });
    assert.match(await page.textContent("#notices"), /Switched to the CPU backend and started the run again/);
    await page.waitForSelector("#results:not([hidden])", { timeout: 300_000 });
    assert.equal(await page.textContent("#backend-badge"), "CPU (WebAssembly)");
    assert.match(await page.textContent("#results-caption"), /CPU/);
    assert.equal(await page.inputValue("#setting-seed"), "11", "the settings are kept");
    await screenshot(page, "gpu-lost");
  } finally {
    await browser.close();
  }
});

test("invalid settings are named beside their fields and nothing runs", { timeout: 240_000 }, async () => {
  const { browser, page } = await openPage(`${url}#backend=cpu`, { webgpu: false });
  try {
    await waitReady(page);
    await fill(page, { temperature: "0", hidden: "800,0", epochs: "lots" });
    await page.waitForFunction(() => document.querySelector("#error-epochs").textContent !== "");
    assert.match(await page.textContent("#error-epochs"), /whole number/);
    await fill(page, { epochs: "2" });
    await page.waitForFunction(() => document.querySelector("#error-hidden").textContent !== "");
    assert.match(await page.textContent("#error-hidden"), /a layer of 0 units/);
    assert.match(await page.textContent("#error-temperature"), /T = 0/);
    await page.click("#distill");
    await page.waitForFunction(() => document.body.dataset.runRequest === "refused");
    assert.ok(await page.isHidden("#progress"), "no run started");
    assert.equal(await page.getAttribute("#setting-temperature", "aria-invalid"), "true");
    await fill(page, { temperature: "4", hidden: "4096,4096,4096,4096,4096,4096,4096,4096", batch_size: "8192" });
    await page.waitForFunction(() => /MB/.test(document.querySelector("#settings-general").textContent), null, { timeout: 30_000 });
    assert.match(await page.textContent("#settings-general"), /these settings need about [\d,]+ MB, more than the \d+ MB this backend allows/);
    await screenshot(page, "invalid-settings");
  } finally {
    await browser.close();
  }
});

test("a missing teacher file is reported on the page", { timeout: 120_000 }, async () => {
  const { browser, page } = await openPage(`${url}#backend=cpu`, {
    webgpu: false,
    beforeLoad: (p) => p.route("**/generated/teacher.safetensors", (r) => r.fulfill({ status: 404, body: "" })),
  });
  try {
    await page.waitForSelector(".notice.error", { timeout: 60_000 });
    assert.match(await page.textContent("#notices"), /could not download teacher\.safetensors \(HTTP 404/);
    assert.ok(await page.isDisabled("#distill"), "nothing to run without a teacher");
    assert.equal(await page.textContent("#status"), "failed to start");
    await screenshot(page, "missing-teacher");
  } finally {
    await browser.close();
  }
});

/**
 * Opens the page with one file routed to `fulfil`; waits for `status` ("failed to start", or
 * "ready" for a failure the page survives) and returns the notices it shows.
 */
async function startupMessage(pattern, fulfil, status = "failed to start") {
  const { browser, page } = await openPage(`${url}#backend=cpu`, { webgpu: false, beforeLoad: (p) => p.route(pattern, fulfil) });
  try {
    await page.waitForFunction((s) => document.querySelector("#status").textContent === s, status, { timeout: 90_000 });
    return await page.textContent("#notices");
  } finally {
    await browser.close();
  }
}

test("every start-up failure ends in a message, never in 'loading'", { timeout: 300_000 }, async () => {
  const js = (body) => (r) => r.fulfill({ status: 200, contentType: "text/javascript", body });
  assert.match(await startupMessage("**/main.js", js("throw new Error('broken module');")),
    /The page's code failed to load: broken module\. Reload the page/);
  // A chart library that cannot load is a notice; the page starts without charts.
  assert.match(await startupMessage("**/charts.js", js("throw new Error('no charts here');"), "ready"),
    /The charts could not load \(no charts here\)/);
  assert.match(await startupMessage("**/worker.js", (r) => r.fulfill({ status: 404, body: "" })),
    /The page could not start: the worker failed/);
  assert.match(await startupMessage("**/webdistill_bg.wasm", (r) => r.fulfill({ status: 200, contentType: "application/wasm", body: Buffer.from("not wasm") })),
    /The page could not start: .*(WebAssembly|wasm|magic)/i);
});

test("the fields of the form are the core's settings, with limits and help", { timeout: 120_000 }, async () => {
  const { browser, page } = await openPage(`${url}#backend=cpu`, { webgpu: false });
  try {
    await waitReady(page);
    const fields = await page.$$eval("#settings-form .field input, #settings-form .field select", (els) => els.map((e) => e.name));
    for (const key of Object.keys(QUICK)) assert.ok(fields.includes(key), key);
    assert.ok(fields.includes("assistant"));
    assert.match(await page.textContent("#help-batch_size"), /\(1 to 8,192\)/);
    assert.equal(await page.inputValue("#setting-hidden"), "64");
  } finally {
    await browser.close();
  }
});

test("a browser whose language tag is 'C' (WebKitGTK under the C locale) starts, with its charts", { timeout: 180_000 }, async () => {
  // What WebKitGTK reported under LANG=C: a tag Intl rejects ("invalid language tag: C"); uPlot's
  // number formatting threw at import and the page stayed at "loading".
  const { browser, page, problems } = await openPage(`${url}#${QUICK_HASH}&backend=cpu`, {
    webgpu: false,
    beforeLoad: (p) => p.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, "language", { get: () => "C", configurable: true });
      Object.defineProperty(Navigator.prototype, "languages", { get: () => ["C"], configurable: true });
    }),
  });
  try {
    await waitReady(page);
    assert.doesNotMatch(await page.textContent("#notices"), /charts could not load/);
    await distill(page);
    assert.ok(Number(await page.getAttribute("#accuracy-chart", "data-points")) >= 2, "the charts drew");
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
