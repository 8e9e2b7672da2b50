// Shared by the browser tests: the static server, Debian's Chromium with the flags that give it
// WebGPU on SwiftShader (DEVELOPERS.md), and helpers to drive the page.

import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { serve } from "../../scripts/serve.mjs";

/** Flags every launch needs here: root, no network chatter (this machine's network is closed). */
const BASE_FLAGS = ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];
export const SCREENSHOTS = "test-results/screenshots";

export async function startServer() {
  const server = await serve(0);
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/**
 * A browser and page; `webgpu: false` launches without the flag, so requestAdapter() gives null.
 * `phone: true` gives a phone-sized touch viewport.
 */
export async function openPage(url, { webgpu = true, beforeLoad, phone = false } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: webgpu ? [...BASE_FLAGS, "--enable-unsafe-webgpu"] : BASE_FLAGS,
  });
  const page = await browser.newPage(phone
    ? { viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 }
    : { viewport: { width: 1200, height: 1800 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  if (beforeLoad) await beforeLoad(page);
  await page.goto(url);
  return { browser, page, problems };
}

export async function waitReady(page, timeout = 180_000) {
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "ready", null, { timeout });
}

/** Fills the settings form: `values` maps field ids to text. */
export async function fill(page, values) {
  for (const [id, value] of Object.entries(values)) await page.fill(`#setting-${id}`, String(value));
}

/** Settings for a run that finishes in about a minute even on SwiftShader. */
export const QUICK = { hidden: "32", size: 2000, labeled: 100, epochs: 2, batch_size: 50, learning_rate: 0.003 };

/** Reads the results table: {teacher, distilled, scratch} → {accuracy, errors, params, ...} as text. */
export async function resultsTable(page) {
  return page.$$eval("#results-table tbody tr", (rows) =>
    Object.fromEntries(rows.map((tr) => {
      const c = [...tr.children].map((td) => td.textContent);
      return [tr.dataset.model, { architecture: c[1], accuracy: c[2], errors: c[3], params: c[4], bytes: c[5], time: c[6], speedup: c[7] }];
    })),
  );
}

export const percent = (text) => Number.parseFloat(text) / 100;

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}
