// The experiment at a glance: on a desktop and a phone, the Distill button and the three model
// cards are on the first screen before and after a run, a run fills every card, nothing scrolls
// sideways, axe-core finds no violations in light or dark, a keyboard alone runs it, and an embed
// shows only what it names.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DESKTOP, PHONE, QUICK_HASH, axe, distill, openPage, readCards, screenshot, startServer, waitReady } from "./support.mjs";

let server;
let url;
before(async () => ({ server, url } = await startServer()));
after(() => server.close());

/** Whether `selector` lies wholly inside the first viewport (the page scrolled to the top). */
async function onFirstScreen(page, selector) {
  return page.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth + 0.5;
  });
}

async function checkFirstScreen(page, viewport, { allCards }) {
  await page.evaluate(() => window.scrollTo(0, 0));
  assert.ok(await onFirstScreen(page, "#distill"), "the Distill button is on the first screen");
  const cards = allCards ? ["teacher", "distilled", "scratch"] : ["teacher"];
  for (const card of cards) assert.ok(await onFirstScreen(page, `#card-${card}`), `the ${card} card is on the first screen`);
  assert.ok(await page.evaluate((w) => document.documentElement.scrollWidth <= w, viewport.width), "nothing scrolls sideways");
}

for (const [name, viewport, phone] of [["desktop", DESKTOP, false], ["phone", PHONE, true]]) {
  test(`${name} (${viewport.width}×${viewport.height}): the experiment fills the first screen, before and after a run`, { timeout: 300_000 }, async () => {
    const { browser, page, problems } = await openPage(`${url}#${QUICK_HASH}&backend=cpu`, { webgpu: false, phone, viewport });
    try {
      await waitReady(page);
      // On a phone the cards stack: the button and the first card fit; on a desktop all three.
      await checkFirstScreen(page, viewport, { allCards: !phone });
      await screenshot(page, `first-screen-${name}-before`, { fullPage: false });
      await distill(page);
      await checkFirstScreen(page, viewport, { allCards: !phone });
      const cards = await readCards(page);
      for (const [model, card] of Object.entries(cards)) {
        assert.match(card.accuracy, /^\d+\.\d\d% \([\d,]+ errors of 10,000\)$/, `${model}: ${card.accuracy}`);
        assert.match(card.size, /^[\d.]+ (KB|MB) · [\d,]+ parameters$/, `${model}: ${card.size}`);
        // The twins share one shape, so one measured time, and the scratch card says so.
        const shared = model === "scratch" ? " · timed once for both twins" : "";
        assert.match(card.time, new RegExp(`^[\\d.]+ (ns|µs|ms) at batch 256${shared}$`), `${model}: ${card.time}`);
      }
      assert.match(cards.distilled.ratio, /× smaller · .* than the teacher$/);
      await screenshot(page, `first-screen-${name}-after`, { fullPage: false });
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });
}

for (const scheme of ["light", "dark"]) {
  test(`axe-core finds no violations before and after a run (${scheme})`, { timeout: 300_000 }, async () => {
    const { browser, page } = await openPage(`${url}#${QUICK_HASH}&backend=cpu`, { webgpu: false, scheme });
    try {
      await waitReady(page);
      await page.evaluate(() => {
        document.querySelector("#settings-panel").open = true;
      });
      assert.deepEqual(await axe(page), [], "before a run");
      await distill(page);
      await page.waitForSelector('#sample-bars .probs[data-model="scratch"]');
      assert.deepEqual(await axe(page), [], "after a run");
      await screenshot(page, `axe-${scheme}`);
    } finally {
      await browser.close();
    }
  });
}

test("a keyboard alone runs the experiment: Tab to Distill, Enter", { timeout: 300_000 }, async () => {
  const { browser, page } = await openPage(`${url}#${QUICK_HASH}&backend=cpu`, { webgpu: false });
  try {
    await waitReady(page);
    let focused = "";
    for (let i = 0; i < 30 && focused !== "distill"; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement?.id ?? "");
    }
    assert.equal(focused, "distill", "Distill is reachable by Tab");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none", "the focus is visible");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#results:not([hidden])", { timeout: 240_000 });
  } finally {
    await browser.close();
  }
});

test("an embed with hide= shows only what it names, and Embed gives an iframe as tall as what it shows", { timeout: 120_000 }, async () => {
  const parts = ["header", "settings", "curves", "results", "explore", "sweep", "presets"];
  const { browser, page } = await openPage(`${url}#embed=1&hide=${parts.join(",")}&backend=cpu`, { webgpu: false });
  try {
    await waitReady(page);
    for (const id of ["page-header", "settings", "curves", "results", "explore", "sweep", "presets"]) assert.ok(await page.isHidden(`#${id}`), id);
    assert.ok(await page.isVisible("#experiment"));
    assert.ok(await page.isVisible("#draw"), "not named: still shown");
    assert.ok(await page.isHidden("footer"));
    await screenshot(page, "embed");
  } finally {
    await browser.close();
  }
  const full = await openPage(`${url}#backend=cpu`, { webgpu: false });
  try {
    await waitReady(full.page);
    await full.page.click("#open-settings");
    await full.page.click("#embed");
    const snippet = await full.page.inputValue("#share-output");
    assert.match(snippet, /^<iframe src="[^"]+embed=1&amp;hide=header" title="webdistill: knowledge distillation" width="100%" height="\d+"/);
    const height = Number(snippet.match(/height="(\d+)"/)[1]);
    const shown = await full.page.evaluate(() => document.querySelector("main").getBoundingClientRect().height);
    assert.ok(Math.abs(height - shown) < 0.25 * shown, `iframe ${height} px for ${shown} px shown`);
  } finally {
    await full.browser.close();
  }
});
