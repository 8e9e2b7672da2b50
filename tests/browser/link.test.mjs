// Links: settings from the URL reproduce in the form; hostile links are refused with a notice and
// run nothing; embed mode hides the panels it names; autorun runs, and its results download. `node --test tests/browser/`.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { openPage, screenshot, startServer, waitReady } from "./support.mjs";

let server;
let url;
before(async () => ({ server, url } = await startServer()));
after(() => server.close());

const value = (page, id) => page.inputValue(`#setting-${id}`);

test("a shared link reproduces its settings in the form, and Share writes them back", { timeout: 120_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#hidden=64,32&temperature=8&alpha=0.5&size=5000&labeled=1000&omit=3&seed=7&loss=logits`);
  try {
    await waitReady(page);
    assert.equal(await value(page, "hidden"), "64,32");
    assert.equal(await value(page, "temperature"), "8");
    assert.equal(await value(page, "alpha"), "0.5");
    assert.equal(await value(page, "size"), "5000");
    assert.equal(await value(page, "omit"), "3");
    assert.equal(await value(page, "seed"), "7");
    assert.equal(await value(page, "loss"), "logits");
    assert.equal(await page.$$eval("#notices .notice.error", (n) => n.length), 0);
    await page.fill("#setting-epochs", "3");
    await page.click("#share");
    const link = await page.inputValue("#share-output");
    assert.match(link, /#hidden=64,32&loss=logits&temperature=8&alpha=0.5&beta=1&size=5000&labeled=1000&omit=3&holdout=0&epochs=3&/);
    assert.ok(link.startsWith(url));
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("a hostile link shows notices, injects nothing and runs nothing", { timeout: 120_000 }, async () => {
  const hostile = `${url}#hidden=${encodeURIComponent("<script>window.pwned=1</script>")}&temperature=NaN&epochs=1e999`
    + `&size=99999999999&seed=-1&${encodeURIComponent("<img src=x onerror=window.pwned=1>")}=1`
    + `&preset=${encodeURIComponent("<svg onload=window.pwned=1>")}&autorun=1`;
  const { browser, page } = await openPage(hostile);
  try {
    await waitReady(page);
    const notices = await page.textContent("#notices");
    assert.match(notices, /Ignored hidden="<script>window.pwned=1<\/script>" from the link/);
    assert.match(notices, /Ignored temperature="NaN"/);
    assert.match(notices, /Ignored epochs="1e999"/);
    assert.match(notices, /Ignored size="99999999999"/);
    assert.match(notices, /Ignored seed="-1"/);
    assert.match(notices, /unknown link parameter "<img src=x onerror=window.pwned=1>"/);
    assert.match(notices, /Ignored preset="<svg onload=window.pwned=1>" from the link: presets are few-labels, /);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.equal(await page.$$eval("#notices img, #notices script, #notices svg", (n) => n.length), 0);
    assert.equal(await value(page, "hidden"), "800,800", "the default stands");
    await page.waitForTimeout(1000);
    assert.ok(await page.isHidden("#progress"), "autorun was cancelled");
    await screenshot(page, "hostile-link");
  } finally {
    await browser.close();
  }
});

test("a well-formed link with an impossible setting names it and autorun runs nothing", { timeout: 120_000 }, async () => {
  const { browser, page } = await openPage(`${url}#size=999999&autorun=1`);
  try {
    await waitReady(page);
    await page.waitForFunction(() => document.querySelector("#error-size").textContent !== "");
    assert.match(await page.textContent("#error-size"), /but only 60000 are available/);
    await page.waitForTimeout(1000);
    assert.ok(await page.isHidden("#progress"), "nothing ran");
  } finally {
    await browser.close();
  }
});

test("embed mode hides the panels the link names", { timeout: 120_000 }, async () => {
  const { browser, page } = await openPage(`${url}#embed=1&hide=settings,header`);
  try {
    await waitReady(page);
    assert.ok(await page.isHidden("#settings"));
    assert.ok(await page.isHidden("#page-header"));
    assert.ok(await page.isHidden("footer"));
    assert.ok(await page.isVisible("#teacher-card"));
    await screenshot(page, "embed");
  } finally {
    await browser.close();
  }
});

test("autorun=1 runs the linked experiment as soon as the page is ready", { timeout: 300_000 }, async () => {
  const settings = "hidden=32&size=2000&labeled=100&epochs=1&batch_size=50&learning_rate=0.003&seed=3";
  const { browser, page, problems } = await openPage(`${url}#${settings}&backend=cpu&autorun=1`, { webgpu: false });
  try {
    await page.waitForSelector("#results:not([hidden])", { timeout: 240_000 });
    assert.match(await page.textContent("#results-caption"), /CPU .* transfer set of 2,000 \(100 labeled\) · 40 steps each/);
    // The results download as CSV, with the numbers the table shows.
    const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
    const csv = readFileSync(await csvDownload.path(), "utf8").trim().split("\n");
    assert.equal(csvDownload.suggestedFilename(), "webdistill-results.csv");
    assert.equal(csv.length, 4);
    assert.match(csv[0], /^model,architecture,accuracy,errors,params,bytes,ms_per_image,speedup,accuracy_digit_0,/);
    const distilled = csv.find((l) => l.startsWith("distilled,")).split(",");
    const shown = await page.textContent('#results-table tr[data-model="distilled"] td:nth-child(4)');
    assert.equal(distilled[3], shown.replaceAll(",", ""), "errors as in the table");
    const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.click("#download-json")]);
    const json = JSON.parse(readFileSync(await jsonDownload.path(), "utf8"));
    assert.equal(json.distilled.errors, Number(distilled[3]));
    assert.equal(json.settings.seed, 3);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
