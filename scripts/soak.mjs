// The soak benchmark (docs/BENCHMARKS.md): 50 consecutive quick runs in one page, each on a new
// seed, and the memory of the browser's processes after run 5 and after run 50 (proportional set size, summed over
// Chromium's processes from /proc: performance.measureUserAgentSpecificMemory needs a
// cross-origin-isolated page, which this one is not). A leak of wasm objects, buffers or
// listeners per run shows as growth between the two.
//
// npm run soak        (after scripts/build-web.sh)   SOAK_RUNS=50 SOAK_BACKEND=cpu

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { BASE_FLAGS, QUICK_HASH, distill } from "../tests/browser/support.mjs";
import { serve } from "./serve.mjs";

const RUNS = Number(process.env.SOAK_RUNS ?? 50);
const BACKEND = process.env.SOAK_BACKEND ?? "cpu";

/** Proportional set size of `pid` and all its descendants, bytes. */
function pss(pid) {
  const children = (p) => {
    try {
      return execFileSync("ps", ["-o", "pid=", "--ppid", String(p)], { encoding: "utf8" }).split("\n").map(Number).filter(Boolean);
    } catch {
      return [];
    }
  };
  const all = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    all.push(p);
    queue.push(...children(p));
  }
  return all.reduce((sum, p) => {
    try {
      const kb = readFileSync(`/proc/${p}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+) kB/m);
      return sum + (kb ? Number(kb[1]) * 1024 : 0);
    } catch {
      return sum; // gone meanwhile
    }
  }, 0);
}

const server = await serve(0);
const url = `http://127.0.0.1:${server.address().port}/#${QUICK_HASH}&backend=${BACKEND}`;
// A browser server, because only it exposes the browser's process (whose tree we measure).
const chromiumServer = await chromium.launchServer({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: BACKEND === "webgpu" ? [...BASE_FLAGS, "--enable-unsafe-webgpu"] : BASE_FLAGS });
const pid = chromiumServer.process().pid;
const browser = await chromium.connect(chromiumServer.wsEndpoint());
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "ready", null, { timeout: 300_000 });
  const marks = {};
  const seconds = [];
  for (let run = 1; run <= RUNS; run++) {
    const started = Date.now();
    // A new seed each run: a new transfer set, so every run labels it (helper workers, large
    // buffers, the soft-target cache replacing its entry) instead of reusing the last one's.
    await page.evaluate((seed) => {
      const field = document.querySelector("#setting-seed");
      field.value = String(seed);
      for (const type of ["input", "change"]) field.dispatchEvent(new Event(type, { bubbles: true }));
    }, run);
    await distill(page, 600_000); // waits for this run, not the last one's "done"
    await page.waitForFunction(() => !document.querySelector("#distill").disabled, null, { timeout: 600_000 });
    seconds.push((Date.now() - started) / 1000);
    if (run === 5 || run === RUNS) {
      await page.waitForTimeout(2000); // let the collectors run
      marks[run] = pss(pid);
      console.log(`after run ${run}: ${(marks[run] / 1e6).toFixed(1)} MB (PSS of Chromium's processes)`);
    }
  }
  const growth = marks[RUNS] / marks[5] - 1;
  const result = { runs: RUNS, backend: BACKEND, settings: QUICK_HASH, pss_after_run_5: marks[5], [`pss_after_run_${RUNS}`]: marks[RUNS],
    growth, seconds_per_run: seconds, date: new Date().toISOString() };
  mkdirSync("bench-results", { recursive: true });
  writeFileSync("bench-results/soak.json", JSON.stringify(result, null, 2) + "\n");
  console.log(`growth from run 5 to run ${RUNS}: ${(growth * 100).toFixed(1)}% (target ≤ 5%); ${(seconds.reduce((a, b) => a + b) / RUNS).toFixed(1)} s a run`);
} finally {
  await browser.close();
  await chromiumServer.close();
  server.close();
}
