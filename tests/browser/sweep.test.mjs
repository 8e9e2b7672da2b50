// The accuracy-for-size sweep and the soft-target cache: Sweep draws each kind's curves and the
// teacher point inside readable axes, Stop keeps the points so far, and a second run on the same
// images skips labelling.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { QUICK_HASH, distill, fill, openPage, screenshot, startServer, waitReady } from "./support.mjs";

let server;
let url;
before(async () => ({ server, url } = await startServer()));
after(() => server.close());

test("a second run on the same transfer set skips labelling and says so", { timeout: 300_000 }, async () => {
  const { browser, page } = await openPage(`${url}#${QUICK_HASH}&backend=cpu`, { webgpu: false });
  try {
    await waitReady(page);
    await distill(page);
    assert.doesNotMatch(await page.textContent("#story"), /reused/);
    await fill(page, { temperature: "8" });
    // Every status the second run passes through.
    await page.evaluate(() => {
      window.statuses = [];
      new MutationObserver(() => window.statuses.push(document.querySelector("#status").textContent))
        .observe(document.querySelector("#status"), { childList: true, characterData: true, subtree: true });
    });
    await distill(page);
    const statuses = await page.evaluate(() => window.statuses);
    assert.ok(!statuses.includes("the teacher labels the transfer set"), statuses.join(" | "));
    assert.match(await page.textContent("#story"), /soft targets were reused from the previous run on the same images/);
  } finally {
    await browser.close();
  }
});

test("Sweep draws every kind of student for size, with the teacher as a point, inside readable axes; Stop keeps the points", { timeout: 900_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#${QUICK_HASH}&epochs=1&backend=cpu`, { webgpu: false });
  try {
    await waitReady(page);
    await page.click("#sweep-start");
    await page.waitForFunction(() => /^Done: \d+ students\./.test(document.querySelector("#sweep-status").textContent), null, { timeout: 780_000 });
    // With a second core, a helper worker trains the students without the teacher and each
    // student's row joins the two.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const done = await page.textContent("#sweep-status");
    if (cores > 1) assert.match(done, /students without the teacher trained on a second core/);
    const rows = await page.$$eval("#sweep-table tbody tr", (trs) => trs.map((tr) => [tr.dataset.model, ...[...tr.children].map((td) => td.textContent)]));
    assert.equal(rows[0][0], "teacher");
    const names = rows.slice(1).map((r) => r[1]);
    for (const name of ["Linear 784-10", "MLP 784-256-10", "CNN 4-8", "Soft tree depth 8"]) assert.ok(names.includes(name), `${name} in ${names.join(", ")}`);
    for (const kind of ["MLP", "CNN", "Soft tree"]) assert.ok(names.filter((n) => n.startsWith(`${kind} `)).length >= 3, `three sizes of ${kind}`);
    for (const row of rows.slice(1)) {
      assert.match(row[5], /^\d+\.\d\d%$/, row.join(" "));
      assert.match(row[6], /^\d+\.\d\d%$/, `the scratch part joined its row: ${row.join(" ")}`);
    }
    // What a person sees on each chart: a line per kind and student, the teacher, every point
    // inside the drawn ranges, and tick labels that are numbers with units.
    for (const [chart, yTick] of [["#sweep-accuracy", /^\d+\.\d%$/], ["#sweep-time", /^\d+(\.\d+)? (ns|µs|ms)$/]]) {
      const d = await page.$eval(chart, (el) => ({ ...el.dataset }));
      assert.equal(Number(d.points), rows.length - 1, chart);
      assert.equal(d.teacher, "true", chart);
      const [[x0, x1], [y0, y1]] = [JSON.parse(d.xRange), JSON.parse(d.yRange)];
      const plotted = JSON.parse(d.plotted);
      assert.ok(plotted.length >= 2 * (rows.length - 1) + 1, `${chart}: distilled, scratch and teacher points`);
      for (const [x, y] of plotted) assert.ok(x >= x0 && x <= x1 && y >= y0 && y <= y1, `${chart}: (${x}, ${y}) inside [${x0}, ${x1}] × [${y0}, ${y1}]`);
      const xTicks = JSON.parse(d.xTicks).filter(Boolean);
      const yTicks = JSON.parse(d.yTicks).filter(Boolean);
      assert.ok(xTicks.length >= 2 && yTicks.length >= 2, `${chart}: ticks ${d.xTicks} ${d.yTicks}`);
      for (const t of xTicks) assert.match(t, /^\d+(\.\d+)? (B|KB|MB)$/, `${chart}: x tick`);
      for (const t of yTicks) assert.match(t, yTick, `${chart}: y tick`);
    }
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#sweep-download-csv")]);
    assert.equal(download.suggestedFilename(), "webdistill-sweep.csv");
    await screenshot(page, "sweep");
    // Again, stopped after the first size: the points so far stay.
    await page.click("#sweep-start");
    await page.waitForFunction(() => Number(document.querySelector("#sweep-accuracy").dataset.points) >= 1, null, { timeout: 120_000 });
    await page.click("#stop");
    await page.waitForFunction(() => /^Stopped after \d+ students/.test(document.querySelector("#sweep-status").textContent), null, { timeout: 120_000 });
    assert.ok(Number(await page.getAttribute("#sweep-accuracy", "data-points")) >= 1);
    assert.ok(await page.isEnabled("#distill"), "ready for the next run");
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("a helper worker that cannot start fails the run with a message, and the page stays ready", { timeout: 300_000 }, async (t) => {
  const broken = await startServer({ refuse: ["/helper.js"] });
  const { browser, page } = await openPage(`http://127.0.0.1:${broken.server.address().port}/#${QUICK_HASH}&backend=cpu`, { webgpu: false });
  try {
    await waitReady(page);
    if ((await page.evaluate(() => navigator.hardwareConcurrency)) < 2) return t.skip("one core: no helpers");
    await page.click("#distill");
    await page.waitForFunction(() => document.querySelector("#status").textContent === "error", null, { timeout: 120_000 });
    assert.match(await page.textContent("#notices"), /a labelling helper failed: it could not start/);
    assert.ok(await page.isEnabled("#distill"), "ready for the next run");
  } finally {
    await browser.close();
    broken.server.close();
  }
});
