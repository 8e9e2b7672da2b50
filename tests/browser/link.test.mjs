// Links: settings from the URL reproduce in the form; hostile links are refused with a notice and
// run nothing; autorun runs, and its results download. `node --test tests/browser/`.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { QUICK_HASH, openPage, screenshot, startServer, waitReady } from "./support.mjs";

let server;
let url;
before(async () => ({ server, url } = await startServer()));
after(() => server.close());

const value = (page, id) => page.inputValue(`#setting-${id}`);

test("a shared link reproduces its settings in the form, and Share writes them back", { timeout: 120_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#hidden=64,32&temperature=8&alpha=0.5&size=5000&labeled=1000&omit=3&seed=7&loss=logits&backend=cpu`, { webgpu: false });
  try {
    await waitReady(page);
    for (const [key, v] of [["hidden", "64,32"], ["temperature", "8"], ["alpha", "0.5"], ["size", "5000"], ["omit", "3"], ["seed", "7"], ["loss", "logits"]]) {
      assert.equal(await value(page, key), v, key);
    }
    assert.equal(await page.$$eval("#notices .notice.error", (n) => n.length), 0);
    assert.match(await page.textContent("#settings-summary"), /^Student MLP 784-64-32-10 · 5,000 images, 1,000 labeled, without 3 · logit matching, α = 0.5 · 4 epochs$/);
    await page.click("#open-settings");
    await page.fill("#setting-epochs", "3");
    await page.click("#share");
    const link = await page.inputValue("#share-output");
    assert.match(link, /#task=digits&teacher=cnn&student=mlp&hidden=64,32&channels=4,8&depth=8&loss=logits&temperature=8&alpha=0.5&beta=1&assistant=&size=5000&labeled=1000&omit=3&holdout=0&epochs=3&/);
    assert.ok(link.startsWith(url));
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("a hostile link shows notices, injects nothing and runs nothing", { timeout: 120_000 }, async () => {
  const hostile = `${url}#hidden=${encodeURIComponent("<script>window.pwned=1</script>")}&temperature=NaN&epochs=1e999`
    + `&size=99999999999&seed=-1&${encodeURIComponent("<img src=x onerror=window.pwned=1>")}=1`
    + `&preset=${encodeURIComponent("<svg onload=window.pwned=1>")}&autorun=1&backend=cpu`;
  const { browser, page } = await openPage(hostile, { webgpu: false });
  try {
    await waitReady(page);
    await page.waitForFunction(() => /Ignored seed/.test(document.querySelector("#notices").textContent));
    const notices = await page.textContent("#notices");
    assert.match(notices, /Ignored hidden="<script>window.pwned=1<\/script>" from the link: invalid student hidden layers/);
    assert.match(notices, /Ignored temperature="NaN" from the link/);
    assert.match(notices, /Ignored epochs="1e999" from the link/);
    assert.match(notices, /Ignored size="99999999999" from the link/);
    assert.match(notices, /Ignored seed="-1" from the link/);
    assert.match(notices, /unknown link parameter "<img src=x onerror=window.pwned=1>"/);
    assert.match(notices, /Ignored preset="<svg onload=window.pwned=1>" from the link: presets are few-labels, /);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.equal(await page.$$eval("#notices img, #notices script, #notices svg", (n) => n.length), 0);
    assert.equal(await value(page, "hidden"), "64", "the default stands");
    await page.waitForFunction(() => document.body.dataset.startup === "done");
    assert.equal(await page.evaluate(() => document.body.dataset.runRequest), undefined, "no run was asked for");
    assert.ok(await page.isHidden("#progress"), "autorun was cancelled");
    await screenshot(page, "hostile-link");
  } finally {
    await browser.close();
  }
});

test("a well-formed link with an impossible setting names it and autorun runs nothing", { timeout: 120_000 }, async () => {
  const { browser, page } = await openPage(`${url}#size=60000&holdout=5000&autorun=1&backend=cpu`, { webgpu: false });
  try {
    await waitReady(page);
    await page.waitForFunction(() => /Ignored/.test(document.querySelector("#notices").textContent));
    assert.match(await page.textContent("#notices"), /Ignored (size|holdout)=.* only 55000 are available/);
    await page.waitForFunction(() => document.body.dataset.startup === "done");
    assert.equal(await page.evaluate(() => document.body.dataset.runRequest), undefined, "no run was asked for");
    assert.ok(await page.isHidden("#progress"), "nothing ran");
  } finally {
    await browser.close();
  }
});

test("autorun=1 runs the linked experiment as soon as the page is ready, and its results download", { timeout: 300_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#${QUICK_HASH}&epochs=1&seed=3&backend=cpu&autorun=1`, { webgpu: false });
  try {
    await page.waitForSelector("#results:not([hidden])", { timeout: 240_000 });
    assert.match(await page.textContent("#results-caption"), /CPU .* transfer set of 2,000 \(100 labeled\) · 40 steps each/);
    const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
    const csv = readFileSync(await csvDownload.path(), "utf8").trim().split("\n");
    assert.equal(csvDownload.suggestedFilename(), "webdistill-results.csv");
    assert.equal(csv.length, 4);
    assert.match(csv[0], /^model,architecture,accuracy,errors,params,bytes,ms_per_image,ms_per_image_resolved,speedup,accuracy_class_0,/);
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
