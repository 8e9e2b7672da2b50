// Shared by the Chromium tests: the static server, Debian's Chromium with the flags that give it
// WebGPU on SwiftShader (DEVELOPERS.md), and helpers to drive the page.

import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { serve } from "../../scripts/serve.mjs";

/** Flags every launch needs here: root, no network chatter (this machine's network is closed). */
export const BASE_FLAGS = ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync"];
export const SCREENSHOTS = "test-results/screenshots";
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 740 };

export async function startServer(options) {
  const server = await serve(0, options);
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/**
 * A browser and page. `webgpu: false` launches without the flag, so requestAdapter() gives null;
 * `phone: true` gives a phone-sized touch viewport; `scheme: "dark"` the dark colour scheme.
 */
export async function openPage(url, { webgpu = true, beforeLoad, phone = false, scheme = "light", viewport = DESKTOP, context = {} } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: webgpu ? [...BASE_FLAGS, "--enable-unsafe-webgpu"] : BASE_FLAGS,
  });
  const page = await browser.newPage({
    colorScheme: scheme,
    ...(phone ? { viewport: PHONE, hasTouch: true, isMobile: true, deviceScaleFactor: 2 } : { viewport }),
    ...context,
  });
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

/** Fills the settings form (opening its panel): `values` maps setting keys to text. */
export async function fill(page, values) {
  await page.evaluate(() => {
    document.querySelector("#settings-panel").open = true;
  });
  for (const [key, value] of Object.entries(values)) {
    const field = page.locator(`#setting-${key}`);
    if ((await field.evaluate((el) => el.tagName)) === "SELECT") await field.selectOption(String(value));
    else await field.fill(String(value));
  }
}

/** Settings for a run that finishes in seconds on the CPU (and a minute or two on SwiftShader). */
export const QUICK = { hidden: "32", size: 2000, labeled: 100, epochs: 2, batch_size: 50, learning_rate: 0.003 };
/** The same settings as a link's hash (`hidden=32&size=2000&...`). */
export const QUICK_HASH = new URLSearchParams(Object.entries(QUICK).map(([k, v]) => [k, String(v)])).toString();

/** Clicks Distill and waits for the comparison. */
export async function distill(page, timeout = 480_000) {
  // "done" may still be showing from the previous run: wait for this run to have said something
  // else first (an observer, as polling could miss a quick run's statuses).
  await page.evaluate(() => {
    const status = document.querySelector("#status");
    window.runStarted = false;
    const observer = new MutationObserver(() => {
      if (status.textContent === "done") return;
      window.runStarted = true;
      observer.disconnect();
    });
    observer.observe(status, { childList: true, characterData: true, subtree: true });
  });
  await page.click("#distill");
  await page.waitForSelector("#results:not([hidden])", { timeout });
  await page.waitForFunction(() => window.runStarted && document.querySelector("#status").textContent === "done", null, { timeout });
}

/** Reads the results table: {teacher, distilled, scratch} → {accuracy, errors, params, ...} as text. */
export async function resultsTable(page) {
  return page.$$eval("#results-table tbody tr", (rows) =>
    Object.fromEntries(rows.map((tr) => {
      const c = [...tr.children].map((td) => td.textContent);
      return [tr.dataset.model, { architecture: c[1], accuracy: c[2], errors: c[3], params: c[4], bytes: c[5], time: c[6], speedup: c[7] }];
    })),
  );
}

/** The three model cards' fields as shown: {teacher: {arch, accuracy, size, time, ratio}, ...}. */
export async function readCards(page) {
  return page.$$eval(".model-card", (cards) => Object.fromEntries(cards.map((card) => [card.dataset.model,
    Object.fromEntries(["arch", "accuracy", "size", "time", "ratio"].map((f) => [f, card.querySelector(`.${f}`).textContent]))])));
}

export const percent = (text) => Number.parseFloat(text) / 100;

/** A time as shown ("12.3 µs", "1.20 ms", "< 5.0 µs"), in ms; null for a bound. */
export function shownMs(text) {
  if (text.trim().startsWith("<")) return null;
  const [, value, unit] = text.match(/([\d.]+) (ns|µs|ms)/);
  return Number(value) * { ns: 1e-6, "µs": 1e-3, ms: 1 }[unit];
}

/** Runs axe-core (the npm package, injected into the page); returns its violations. */
export async function axe(page) {
  const require = createRequire(import.meta.url);
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`);
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage });
}
