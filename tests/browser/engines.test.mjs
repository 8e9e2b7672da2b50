// The page in Firefox ESR and WebKitGTK (Safari's engine), which have no WebGPU here: it gets
// ready on the CPU and says why, a quick distillation completes with a plausible table and honest
// times (never 0, speed-ups that match the times, under these engines' coarse clocks), the
// linear, CNN and tree students each distil in a quick run, a quick run on Fashion-MNIST names its classes, invalid settings are named, a hostile link runs nothing, and the drawing pad answers. WebKit runs under
// the C locale (a user's machine without one; the "C" language tag some builds then report is
// covered in Chromium by page.test.mjs).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { firefox, webkit } from "./drivers.mjs";
import { QUICK_HASH, shownMs, startServer } from "./support.mjs";

let server;
let url;
before(async () => ({ server, url } = await startServer()));
after(() => server.close());

const ready = () => document.querySelector("#status")?.textContent === "ready";

/** Sets a setting's field as typing would, and lets the page check it. */
function setField(key, value) {
  const field = document.querySelector(`#setting-${key}`);
  field.value = value;
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Draws a stroke on the pad with pointer events. */
function drawStroke() {
  const canvas = document.querySelector("#draw-canvas");
  const r = canvas.getBoundingClientRect();
  const at = (x, y) => ({ clientX: r.left + x * r.width, clientY: r.top + y * r.height, pointerId: 1, bubbles: true, isPrimary: true });
  canvas.dispatchEvent(new PointerEvent("pointerdown", at(0.3, 0.25)));
  for (const [x, y] of [[0.5, 0.25], [0.7, 0.25], [0.62, 0.45], [0.55, 0.6], [0.5, 0.78]]) canvas.dispatchEvent(new PointerEvent("pointermove", at(x, y)));
  canvas.dispatchEvent(new PointerEvent("pointerup", at(0.5, 0.78)));
}

const table = () => Object.fromEntries([...document.querySelectorAll("#results-table tbody tr")].map((tr) => {
  const c = [...tr.children].map((td) => td.textContent);
  return [tr.dataset.model, { accuracy: c[2], time: c[6], speedup: c[7] }];
}));

for (const [name, open, lang] of [["Firefox ESR", firefox, "en_US.UTF-8"], ["WebKitGTK", webkit, "C"]]) {
  test(`${name}: ready on the CPU, distills every kind of student with honest times and on Fashion-MNIST with its class names, names bad settings, refuses hostile links, reads drawings`, { timeout: 600_000 }, async () => {
    const engine = await open({ lang });
    try {
      await engine.goto(`${url}#${QUICK_HASH}`);
      await engine.waitFor(ready, { timeout: 120_000, what: "ready" });
      assert.equal(await engine.eval(() => document.querySelector("#backend-badge").textContent), "CPU (WebAssembly)");
      assert.match(await engine.eval(() => document.querySelector("#notices").textContent), /Running on the CPU: this browser has no WebGPU/);

      await engine.eval(() => document.querySelector("#distill").click());
      await engine.waitFor(() => document.querySelector("#status").textContent === "done", { timeout: 360_000, what: "the run" });
      const rows = await engine.eval(table);
      assert.ok(Number.parseFloat(rows.teacher.accuracy) >= 99.5, rows.teacher.accuracy);
      assert.ok(Number.parseFloat(rows.distilled.accuracy) > 80, rows.distilled.accuracy);
      const teacher = shownMs(rows.teacher.time);
      for (const [model, r] of Object.entries(rows)) {
        assert.doesNotMatch(r.time, /^0(\.0+)? /, `${model}: a time of 0`);
        const ms = shownMs(r.time);
        if (ms == null) {
          assert.equal(r.speedup, "–", `${model}: no speed-up from a bound`);
          continue;
        }
        assert.ok(ms > 0, `${model}: ${r.time}`);
        const speedup = Number.parseFloat(r.speedup);
        assert.ok(speedup > 0, `${model}: speed-up ${r.speedup}`);
        assert.ok(Math.abs(speedup - teacher / ms) <= 0.1 * speedup + 0.1, `${model}: ${r.speedup} vs ${teacher} / ${ms}`);
      }
      await engine.screenshot(`${engine.name}-after-run`);

      // The drawing pad: all three models answer.
      await engine.eval(drawStroke);
      await engine.waitFor(() => document.querySelectorAll("#draw-bars .probs").length === 3, { what: "three answers" });

      // Every other kind of student, a quick run each (the teacher's soft targets are reused).
      for (const [kind, title] of [["linear", /^Linear 784-10/], ["cnn", /^CNN 4-8/], ["tree", /^Soft tree depth 8/]]) {
        await engine.eval((value) => {
          const field = document.querySelector("#setting-student");
          field.value = value;
          field.dispatchEvent(new Event("change", { bubbles: true }));
          field.dispatchEvent(new Event("input", { bubbles: true }));
        }, kind);
        // The status says "done" again only when this run has finished.
        await engine.eval(() => {
          document.querySelector("#status").textContent = "asked";
          document.querySelector("#distill").click();
        });
        await engine.waitFor(() => document.querySelector("#status").textContent === "done", { timeout: 240_000, what: `the ${kind} run` });
        const r = await engine.eval(table);
        assert.match(await engine.eval(() => document.querySelector("#card-distilled .arch").textContent), title, kind);
        assert.ok(Number.parseFloat(r.distilled.accuracy) > 50, `${kind}: ${r.distilled.accuracy}`);
      }

      // The second task: the switcher loads Fashion-MNIST and its teacher; a quick run on it names clothes.
      await engine.eval(() => {
        const field = document.querySelector("#task-switch");
        field.value = "fashion";
        field.dispatchEvent(new Event("change", { bubbles: true }));
      });
      await engine.waitFor(() => document.body.dataset.task === "fashion" && document.querySelector("#status").textContent === "ready",
        { timeout: 120_000, what: "Fashion-MNIST loaded" });
      await engine.eval(() => {
        document.querySelector("#settings-panel").open = true;
      });
      for (const [key, value] of Object.entries({ size: "2000", labeled: "100", hidden: "32", epochs: "2", batch_size: "50" })) await engine.eval(setField, key, value);
      await engine.eval(() => {
        document.querySelector("#status").textContent = "asked";
        document.querySelector("#distill").click();
      });
      await engine.waitFor(() => document.querySelector("#status").textContent === "done", { timeout: 240_000, what: "the Fashion-MNIST run" });
      const fashion = await engine.eval(table);
      assert.ok(Number.parseFloat(fashion.distilled.accuracy) > 50, `Fashion-MNIST: ${fashion.distilled.accuracy}`);
      assert.equal(await engine.eval(() => document.querySelector('#per-class thead th[data-class="9"]').textContent), "Ankle boot");

      // Invalid settings are named beside their fields.
      await engine.eval(() => {
        document.querySelector("#settings-panel").open = true;
      });
      await engine.eval(setField, "temperature", "0");
      await engine.waitFor(() => document.querySelector("#error-temperature").textContent !== "", { what: "the temperature's message" });
      assert.match(await engine.eval(() => document.querySelector("#error-temperature").textContent), /T = 0/);

      // A hostile link: notices, no markup injected, nothing runs. (Away first: a change of the
      // hash alone does not load the page again.)
      await engine.goto("about:blank");
      await engine.goto(`${url}#hidden=${encodeURIComponent("<img src=x onerror=window.pwned=1>")}&seed=-1&autorun=1`);
      await engine.waitFor(ready, { timeout: 120_000, what: "ready after the hostile link" });
      await engine.waitFor(() => /Ignored seed/.test(document.querySelector("#notices").textContent), { what: "the link's notices" });
      assert.equal(await engine.eval(() => window.pwned ?? null), null);
      assert.equal(await engine.eval(() => document.querySelectorAll("#notices img").length), 0);
      await engine.waitFor(() => document.body.dataset.startup === "done", { what: "the end of start-up" });
      assert.equal(await engine.eval(() => document.body.dataset.runRequest ?? null), null, "no run was asked for");
      assert.equal(await engine.eval(() => document.querySelector("#progress").hidden), true, "autorun was cancelled");
      await engine.screenshot(`${engine.name}-hostile-link`);
    } finally {
      await engine.close();
    }
  });
}
