// End-to-end: the served page in headless Chromium, on WebGPU (SwiftShader) and with WebGPU
// unavailable; errors shown on the page. `node --test tests/browser/` after scripts/build-web.sh.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { QUICK, fill, openPage, percent, resultsTable, screenshot, startServer, waitReady } from "./support.mjs";

let server;
let url;
before(async () => ({ server, url } = await startServer()));
after(() => server.close());

/** Runs a quick distillation and checks the comparison holds plausible numbers. */
async function distillAndCheck(page, name) {
  await fill(page, QUICK);
  await page.click("#distill");
  await page.waitForSelector("#results:not([hidden])", { timeout: 480_000 });
  const rows = await resultsTable(page);
  assert.ok(percent(rows.teacher.accuracy) >= 0.99, `teacher ${rows.teacher.accuracy}`);
  assert.ok(percent(rows.distilled.accuracy) > 0.8, `distilled ${rows.distilled.accuracy}`);
  assert.match(rows.scratch.accuracy, /^\d+\.\d\d%$/);
  assert.match(rows.scratch.errors, /^[\d,]+$/);
  assert.equal(rows.distilled.params, "25,450");
  assert.equal(rows.scratch.params, rows.distilled.params);
  // The live curves got points during the run.
  assert.ok((await page.$$("#accuracy-chart .u-over")).length === 1);
  await screenshot(page, name);
  return rows;
}

test("distills on WebGPU and shows the three-way comparison", { timeout: 600_000 }, async () => {
  const { browser, page, problems } = await openPage(url);
  try {
    await waitReady(page);
    assert.equal(await page.textContent("#backend-badge"), "WebGPU");
    assert.match(await page.textContent("#teacher-accuracy"), /^99\.\d\d%/);
    await distillAndCheck(page, "webgpu");
    assert.match(await page.textContent("#results-caption"), /WebGPU/);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("falls back to the CPU when WebGPU is unavailable, and says so", { timeout: 600_000 }, async () => {
  const { browser, page, problems } = await openPage(url, { webgpu: false });
  try {
    await waitReady(page);
    assert.equal(await page.textContent("#backend-badge"), "CPU (WebAssembly)");
    assert.match(await page.textContent("#notices"), /Running on the CPU: WebGPU found no usable adapter/);
    await distillAndCheck(page, "cpu-fallback");
    assert.match(await page.textContent("#results-caption"), /CPU/);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("a missing teacher file is reported on the page", { timeout: 120_000 }, async () => {
  const { browser, page } = await openPage(url, {
    beforeLoad: (p) => p.route("**/generated/teacher.safetensors", (r) => r.fulfill({ status: 404, body: "" })),
  });
  try {
    await page.waitForSelector(".notice.error", { timeout: 60_000 });
    assert.match(await page.textContent("#notices"), /could not download teacher\.safetensors \(HTTP 404/);
    assert.ok(await page.isDisabled("#distill"), "nothing to run without a teacher");
    await screenshot(page, "missing-teacher");
  } finally {
    await browser.close();
  }
});

test("invalid settings are named beside their fields and nothing runs", { timeout: 240_000 }, async () => {
  const { browser, page } = await openPage(url);
  try {
    await waitReady(page);
    await fill(page, { temperature: "0", hidden: "800,0", epochs: "lots" });
    await page.waitForFunction(() => document.querySelector("#error-temperature").textContent !== "");
    assert.match(await page.textContent("#error-temperature"), /T = 0/);
    assert.match(await page.textContent("#error-epochs"), /a number/);
    await fill(page, { epochs: "2" });
    await page.waitForFunction(() => document.querySelector("#error-hidden").textContent !== "");
    assert.match(await page.textContent("#error-hidden"), /a layer of 0 units/);
    await page.click("#distill");
    await page.waitForTimeout(500);
    assert.ok(await page.isHidden("#progress"), "no run started");
    assert.equal(await page.getAttribute("#setting-temperature", "aria-invalid"), "true");
    await screenshot(page, "invalid-settings");
  } finally {
    await browser.close();
  }
});
