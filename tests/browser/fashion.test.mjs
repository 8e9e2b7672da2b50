// The second task (issue 20): the switcher in the first screen loads Fashion-MNIST and its teacher,
// every class is named as clothes, a quick run distils on it, the drawing pad steps aside, and a
// link with task=fashion opens on it. `node --test tests/browser/`.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { QUICK, distill, fill, openPage, readCards, resultsTable, screenshot, startServer, waitReady } from "./support.mjs";

let server;
let url;
before(async () => ({ server, url } = await startServer()));
after(() => server.close());

const FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

test("the task switcher loads Fashion-MNIST, names its classes everywhere, distils on it, and its link comes back", { timeout: 480_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#backend=cpu`, { webgpu: false });
  const fetched = [];
  page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  try {
    await waitReady(page);
    assert.equal(await page.evaluate(() => document.body.dataset.task), "digits");
    assert.ok(!fetched.some((p) => p.includes("/fashion/")), "the first load fetches the chosen task's data only");
    const digitsTeacher = (await readCards(page)).teacher.accuracy;

    await page.selectOption("#task-switch", "fashion");
    await page.waitForFunction(() => document.body.dataset.task === "fashion", null, { timeout: 120_000 });
    await page.waitForFunction((before) => document.querySelector("#card-teacher .accuracy").textContent !== before, digitsTeacher);
    assert.equal(await page.inputValue("#setting-task"), "fashion");
    assert.equal(await page.getAttribute('#preset-chips [data-preset="fashion"]', "aria-pressed"), "true", "Fashion's default experiment");
    assert.match((await readCards(page)).teacher.accuracy, /^9\d\.\d\d% \([\d,]+ errors, on its card\)$/);
    assert.ok(fetched.some((p) => p.endsWith("/fashion/test-images.idx.gz")));
    assert.ok(fetched.some((p) => p.endsWith("/teacher-fashion.safetensors")));
    // The explorer shows Fashion's test image 0 (an ankle boot) with clothes for bars.
    await page.waitForFunction(() => /Test image 0: a Ankle boot\./.test(document.querySelector("#sample-label").textContent));
    assert.deepEqual(await page.$$eval('#sample-bars .probs[data-model="teacher"] .prob-row > span:first-child', (s) => s.map((e) => e.textContent)), FASHION_CLASSES);
    assert.ok(await page.isHidden("#draw"), "the drawing pad is for digits");

    await fill(page, QUICK);
    await distill(page);
    const table = await resultsTable(page);
    assert.deepEqual(Object.keys(table), ["teacher", "distilled", "scratch"]);
    assert.match(table.teacher.accuracy, /^9\d\.\d\d%$/);
    const cards = await readCards(page);
    for (const model of ["distilled", "scratch"]) assert.match(cards[model].accuracy, /^\d+\.\d\d% \([\d,]+ errors of 10,000\)$/);
    assert.deepEqual(await page.$$eval("#per-class thead th[data-class]", (t) => t.map((e) => e.textContent)), FASHION_CLASSES);

    await page.click("#share");
    const link = await page.inputValue("#share-output");
    assert.match(link, /#task=fashion&teacher=cnn&/);
    await screenshot(page, "fashion");

    // The link opens on Fashion-MNIST: its teacher, its classes.
    await page.goto("about:blank");
    await page.goto(link);
    await waitReady(page);
    await page.waitForFunction(() => document.body.dataset.task === "fashion");
    assert.equal(await page.inputValue("#task-switch"), "fashion");
    assert.deepEqual(await page.$$eval("#per-class thead th[data-class]", (t) => t.map((e) => e.textContent)), FASHION_CLASSES);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
