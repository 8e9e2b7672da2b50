// The lab of round 3: teachers as a choice (fetched only when chosen, in the link), students of
// other kinds (a soft tree drawn with its path), results kept for the next visit, and the page
// offline after one visit. `node --test tests/browser/lab.test.mjs`.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { QUICK_HASH, distill, fill, openPage, percent, readCards, resultsTable, screenshot, startServer, waitReady } from "./support.mjs";

let server;
let url;
before(async () => ({ server, url } = await startServer()));
after(() => server.close());

/** Records the page's and its workers' requests for teacher files. */
function teacherRequests(page) {
  const seen = [];
  page.context().on("request", (r) => {
    const name = new URL(r.url()).pathname.split("/").pop();
    if (name.startsWith("teacher")) seen.push(name);
  });
  return seen;
}

test("a teacher is chosen on its card, fetched only then, and named in the link", { timeout: 300_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#backend=cpu&${QUICK_HASH}`, { webgpu: false });
  try {
    const requested = teacherRequests(page);
    await waitReady(page);
    assert.match((await readCards(page)).teacher.accuracy, /^99\.54% \(46 errors/);
    assert.ok(!requested.some((n) => n.startsWith("teacher-soft")), `${requested}`);
    await page.selectOption("#card-teacher .choice select", "soft");
    await page.waitForFunction(() => /^98\.90%/.test(document.querySelector("#card-teacher .accuracy").textContent));
    assert.match(await page.textContent("#card-teacher .about"), /less sure/);
    assert.ok(requested.includes("teacher-soft.safetensors"), `${requested}`);
    assert.equal(await page.inputValue("#setting-teacher"), "soft");
    await distill(page);
    assert.equal((await resultsTable(page)).teacher.accuracy, "98.90%");
    assert.match(await page.textContent("#card-teacher .calibration"), /sure on average · calibration error/);
    // How this teacher sees each digit at T = 20: a row of ten shares, named by the teacher.
    await page.locator("#temperature-slider").fill("20");
    await page.waitForFunction(() => document.querySelector("#temperature-value").textContent === "20");
    await page.click("#affinity-measure");
    await page.waitForSelector("#affinity-table:not([hidden]) tbody tr");
    const row = await page.$$eval("#affinity-table tbody tr td", (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(row.slice(0, 2), ["Soft CNN, 3 epochs", "20"]);
    assert.equal(row.length, 12);
    for (const share of row.slice(2)) assert.ok(percent(share) > 0.01 && percent(share) < 0.5, share);
    // The link carries the choice, and opens with it.
    await page.evaluate(() => {
      document.querySelector("#settings-panel").open = true;
    });
    await page.click("#share");
    const link = await page.inputValue("#share-output");
    assert.match(link, /teacher=soft/);
    await page.goto("about:blank");
    await page.goto(link.replace(/^https?:\/\/[^/]+\//, url));
    await waitReady(page);
    await page.waitForFunction(() => /^98\.90%/.test(document.querySelector("#card-teacher .accuracy").textContent));
    assert.equal(await page.inputValue("#card-teacher .choice select"), "soft");
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("a teacher of one's own is checked, measured, kept for the next visit and removed", { timeout: 300_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#backend=cpu&${QUICK_HASH}`, { webgpu: false });
  try {
    await waitReady(page);
    const weights = readFileSync("assets/teacher-soft.safetensors");
    const card = JSON.parse(readFileSync("assets/teacher-soft.json", "utf8"));
    const file = (name, bytes) => ({ name, mimeType: "application/octet-stream", buffer: Buffer.from(bytes) });
    // A card that does not match its weights is refused, and the teacher loaded stays.
    const wrong = { ...card, architecture: { members: [{ ...card.architecture.members[0], hidden: 64 }] } };
    await page.setInputFiles("#own-teacher-files", [file("mine.safetensors", weights), file("mine.json", JSON.stringify(wrong))]);
    await page.waitForFunction(() => /Your teacher was not loaded: mine\.safetensors: .*shape/.test(document.querySelector("#notices").textContent));
    assert.match((await readCards(page)).teacher.accuracy, /^99\.54%/);
    // The right pair: measured on the test set and used.
    await page.setInputFiles("#own-teacher-files", [file("mine.safetensors", weights), file("mine.json", JSON.stringify(card))]);
    await page.waitForFunction(() => /Your teacher mine\.safetensors: 98\.90% on the test set/.test(document.querySelector("#notices").textContent));
    assert.equal(await page.inputValue("#setting-teacher"), "own");
    await distill(page);
    assert.equal((await resultsTable(page)).teacher.accuracy, "98.90%");
    // Kept for the next visit, then removed.
    await page.reload();
    await waitReady(page);
    assert.match(await page.textContent("#card-teacher .choice select"), /Yours: mine\.safetensors/);
    await page.click("#card-teacher .own-teacher summary");
    await page.click("#own-teacher-remove");
    await page.waitForFunction(() => !/Yours/.test(document.querySelector("#card-teacher .choice select").textContent));
    assert.equal(await page.inputValue("#setting-teacher"), "cnn");
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("a soft-tree student is drawn with its path, and a CNN student named on its card", { timeout: 420_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#backend=cpu&${QUICK_HASH}&student=tree&depth=3`, { webgpu: false });
  try {
    await waitReady(page);
    const shown = (key) => page.$eval(`#setting-${key}`, (el) => !el.closest(".field").hidden);
    assert.equal(await shown("depth"), true);
    assert.equal(await shown("hidden"), false, "the MLP's layers are hidden for a tree");
    await distill(page);
    assert.match((await readCards(page)).distilled.arch, /^Soft tree depth 3/);
    await page.waitForSelector("#tree:not([hidden]) .tree-panel[data-role=scratch]");
    for (const role of ["distilled", "scratch"]) {
      const panel = `#tree .tree-panel[data-role=${role}]`;
      assert.equal(await page.locator(`${panel} .tree-node`).count(), 7, "every node of a depth-3 tree");
      assert.equal(await page.locator(`${panel} .tree-node.on-path`).count(), 3, "the path: one node a level");
      assert.equal(await page.locator(`${panel} .tree-bars span`).count(), 10, "the leaf's distribution");
    }
    // Another test image: the path is drawn again for it.
    const before = await page.textContent("#tree .tree-panel[data-role=distilled] .tree-leaf p");
    await page.fill("#sample-index", "1");
    await page.dispatchEvent("#sample-index", "change");
    await page.waitForFunction((text) => document.querySelector("#tree .tree-panel[data-role=distilled] .tree-leaf p")?.textContent !== text
      || document.querySelector("#sample-label").textContent.startsWith("Test image 1:"), before);
    await screenshot(page, "tree-student");

    await fill(page, { student: "cnn", channels: "2,4" });
    await distill(page);
    assert.match((await readCards(page)).distilled.arch, /^CNN 2-4/);
    await page.waitForSelector("#tree[hidden]", { state: "attached" }); // no tree to draw
    assert.ok(percent((await resultsTable(page)).distilled.accuracy) > 0.5);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("a run and the explorer's image and temperature are kept for the next visit until cleared; an embed keeps nothing unless asked", { timeout: 300_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#backend=cpu&${QUICK_HASH}`, { webgpu: false });
  try {
    await waitReady(page);
    await distill(page);
    const shown = (await resultsTable(page)).distilled.accuracy;
    // The explorer on another image at another temperature, kept once written.
    await page.fill("#sample-index", "1234");
    await page.dispatchEvent("#sample-index", "change");
    await page.$eval("#temperature-slider", (slider) => {
      slider.value = "8";
      slider.dispatchEvent(new Event("input", { bubbles: true }));
    });
    // Written half a second after the last change; the page marks what it last kept.
    await page.waitForFunction(() => document.querySelector("#explore").dataset.kept === JSON.stringify({ index: 1234, temperature: 8 }));
    const explorer = await page.evaluate(() => new Promise((resolve) => {
      const open = indexedDB.open("webdistill");
      open.onerror = () => resolve(null);
      open.onsuccess = () => {
        const get = open.result.transaction("results").objectStore("results").get("explorer");
        get.onsuccess = () => {
          open.result.close();
          resolve(get.result?.value ?? null);
        };
        get.onerror = () => resolve(null);
      };
    }));
    assert.deepEqual(explorer, { index: 1234, temperature: 8 });
    await page.reload();
    await waitReady(page);
    await page.waitForSelector("#kept-note:not([hidden])");
    assert.match(await page.textContent("#kept-note"), /^From your last run, .+: Student MLP 784-32-10 · 2,000 images, 100 labeled/);
    assert.equal((await resultsTable(page)).distilled.accuracy, shown);
    await page.waitForFunction(() => /^Test image 1234:/.test(document.querySelector("#sample-label").textContent));
    assert.equal(await page.inputValue("#temperature-slider"), "8");
    assert.equal(await page.textContent("#temperature-value"), "8");
    // An embed without keep=1 neither shows nor keeps anything.
    await page.goto("about:blank");
    await page.goto(`${url}#backend=cpu&embed=1`);
    await waitReady(page);
    assert.equal(await page.isHidden("#kept-note"), true);
    await page.goto("about:blank");
    await page.goto(`${url}#backend=cpu&embed=1&keep=1`);
    await waitReady(page);
    await page.waitForSelector("#kept-note:not([hidden])");
    await page.click("#kept-clear");
    await page.waitForSelector("#kept-note[hidden]", { state: "attached" });
    await page.reload();
    await waitReady(page);
    assert.equal(await page.isHidden("#kept-note"), true, "cleared for good");
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test("after one visit the page loads, gets ready and distils offline", { timeout: 300_000 }, async () => {
  const { browser, page, problems } = await openPage(`${url}#backend=cpu&${QUICK_HASH}`, { webgpu: false });
  try {
    await waitReady(page);
    await distill(page); // fetches the training shards the quick run needs
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.context().setOffline(true);
    await page.reload();
    await waitReady(page);
    await distill(page);
    assert.ok(percent((await resultsTable(page)).distilled.accuracy) > 0.5);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
