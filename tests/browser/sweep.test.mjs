// The accuracy-for-size sweep and the soft-target cache: Sweep draws both curves and the teacher
// point, Stop keeps the points so far, and a second run on the same images skips labelling.

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

test("Sweep draws accuracy and time for six sizes with the teacher as a point; Stop keeps the points", { timeout: 600_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#${QUICK_HASH}&epochs=1&backend=cpu`, { webgpu: false });
  try {
    await waitReady(page);
    await page.click("#sweep-start");
    await page.waitForFunction(() => /^Done: \d+ sizes\./.test(document.querySelector("#sweep-status").textContent), null, { timeout: 480_000 });
    // With a second core, a helper worker trains the students without the teacher and each
    // size's row joins the two.
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const done = await page.textContent("#sweep-status");
    if (cores > 1) assert.match(done, /students without the teacher trained on a second core/);
    for (const chart of ["#sweep-accuracy", "#sweep-time"]) {
      assert.ok(Number(await page.getAttribute(chart, "data-points")) >= 5, chart);
      assert.equal(await page.getAttribute(chart, "data-teacher"), "true", chart);
    }
    const rows = await page.$$eval("#sweep-table tbody tr", (trs) => trs.map((tr) => [tr.dataset.model, ...[...tr.children].map((td) => td.textContent)]));
    assert.equal(rows[0][0], "teacher");
    assert.equal(rows.length, 7);
    assert.equal(rows.at(-1)[1], "MLP 784-800-800-10");
    for (const row of rows.slice(1)) {
      assert.match(row[5], /^\d+\.\d\d%$/, row.join(" "));
      assert.match(row[6], /^\d+\.\d\d%$/, `the scratch part joined its row: ${row.join(" ")}`);
    }
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#sweep-download-csv")]);
    assert.equal(download.suggestedFilename(), "webdistill-sweep.csv");
    await screenshot(page, "sweep");
    // Again, stopped after the first size: the points so far stay.
    await page.click("#sweep-start");
    await page.waitForFunction(() => Number(document.querySelector("#sweep-accuracy").dataset.points) >= 1, null, { timeout: 120_000 });
    await page.click("#stop");
    await page.waitForFunction(() => /^Stopped after \d+ of the sizes/.test(document.querySelector("#sweep-status").textContent), null, { timeout: 120_000 });
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
