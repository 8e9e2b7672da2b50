// The page's controller: owns the worker, turns its messages into views, and the form and
// buttons into messages. Holds no model state: every number it shows comes from the worker.

import { CurveChart } from "./charts.js";
import { backendName, bytes, duration, int, ms, pct } from "./format.js";
import { ResultsView } from "./results.js";
import { buildForm, readForm, showProblems } from "./settings.js";
import { PANELS, readHash, writeHash } from "./url-state.js";
import { comparisonCsv, download, downloadBytes } from "./export.js";
import { Explorer } from "./explore.js";
import { PAPER_BIAS_SHIFT, PRESETS, matchingPreset, ourFigure, presetValues, shiftSource } from "./presets.js";
import { FIELDS } from "./settings.js";

const $ = (selector) => document.querySelector(selector);
const form = $("#settings-form");
const distillButton = $("#distill");
const stopButton = $("#stop");
const backendSelect = $("#backend");

let worker = null;
let backend = null;
let ready = false;
let running = false;
let rerunWhenReady = false;
let checkTimer = null;
let lastComparison = null;
/** The preset the last run's settings matched, and our figure for each preset run so far. */
let runPreset = null;
let lastPreset = null;
const ours = {};

const explorer = new Explorer((message) => worker?.postMessage(message));

const lossChart = new CurveChart($("#loss-chart"), { title: "Training loss (each student's own objective: the distilled one includes α·T²·KL)", yLabel: "loss" });
const accuracyChart = new CurveChart($("#accuracy-chart"), { title: "Test accuracy (first 1,000 test images, live)", yLabel: "accuracy", yRange: [0, 1] });
const results = new ResultsView($("#results"));

buildForm(form);
buildPresets();
// Settings, backend and embedding from the link (#…); anything malformed is dropped with a notice
// and cancels autorun, so a hostile link runs nothing. A preset fills the form first; settings
// given beside it override its values.
const link = readHash(location.hash);
if (link.preset) applyPreset(link.preset);
for (const [id, value] of Object.entries(link.values)) form.elements[id].value = value;
for (const problem of link.problems) notice(problem, "error");
if (link.backend) backendSelect.value = link.backend;
document.body.classList.toggle("embed", link.embed);
for (const panel of link.hide) $(`#${PANELS[panel]}`).classList.add("embed-hidden");
let autorun = link.autorun && link.problems.length === 0;
form.addEventListener("input", () => {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, 200);
});
form.addEventListener("submit", (e) => {
  e.preventDefault();
  distill();
});
distillButton.addEventListener("click", distill);
$("#download-json").addEventListener("click", () =>
  download("webdistill-results.json", `${JSON.stringify(lastComparison, null, 2)}\n`, "application/json"));
$("#download-csv").addEventListener("click", () => download("webdistill-results.csv", comparisonCsv(lastComparison), "text/csv"));
$("#share").addEventListener("click", () => offerLink(pageUrl(writeHash(form, presetKey())), "Link to these settings"));
$("#embed").addEventListener("click", () => {
  const src = pageUrl(writeHash(form, { ...presetKey(), embed: 1, hide: "header" }));
  offerLink(`<iframe src="${src.replaceAll('"', "&quot;")}" title="webdistill: knowledge distillation" width="100%" height="1100" style="border:0"></iframe>`, "Embed snippet");
});
stopButton.addEventListener("click", () => worker?.postMessage({ type: "stop" }));
$("#bias-paper").addEventListener("click", () => worker?.postMessage({ type: "bias", digit: omittedDigit(), delta: PAPER_BIAS_SHIFT }));
$("#bias-fit").addEventListener("click", () => worker?.postMessage({ type: "bias", digit: omittedDigit(), delta: null }));
backendSelect.addEventListener("change", () => startWorker(backendSelect.value));
window.addEventListener("error", (e) => notice(`Unexpected error: ${e.message}`, "error"));
window.addEventListener("unhandledrejection", (e) => notice(`Unexpected error: ${e.reason?.message ?? e.reason}`, "error"));

startWorker(backendSelect.value);

/** (Re)starts the worker on `choice` ("auto", "webgpu" or "cpu"). */
function startWorker(choice) {
  worker?.terminate();
  ready = false;
  running = false;
  updateButtons();
  setStatus("starting");
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.onmessage = ({ data }) => handle(data);
  worker.onerror = (e) => {
    e.preventDefault();
    fail(`The worker failed to start: ${e.message || "could not load its script"}`, true);
  };
  worker.postMessage({ type: "init", backend: choice });
}

function handle(m) {
  switch (m.type) {
    case "status":
      setStatus(m.text);
      break;
    case "download":
      showBar("#download-bar", m.loaded / m.total, `${bytes(m.loaded)} of ${bytes(m.total)}`);
      $("#download-bar").hidden = m.loaded >= m.total;
      break;
    case "backend":
      backend = m.backend;
      $("#backend-badge").textContent = backendName(backend);
      $("#backend-badge").dataset.backend = backend;
      if (m.reason) notice(`Running on the CPU: ${m.reason}.`, "info");
      break;
    case "ready":
      ready = true;
      showTeacher(m.card);
      setStatus("ready");
      updateButtons();
      check();
      explorer.ready();
      if (rerunWhenReady || autorun) {
        rerunWhenReady = false;
        autorun = false;
        distill();
      }
      break;
    case "teacher-latency":
      showTeacherLatency(m.latency);
      break;
    case "problems":
      showGeneral(showProblems(form, readForm(form).errors, m.problems));
      if (m.refused) {
        running = false;
        updateButtons();
        notice("Some settings need fixing first (see the messages beside them).", "error");
      }
      break;
    case "progress":
      $("#progress").hidden = false;
      showProgress(m.update);
      break;
    case "result":
      running = false;
      updateButtons();
      setStatus("done");
      lastComparison = m.comparison;
      results.show(m.comparison, backendName(backend));
      results.showStudentFiles(m.files);
      showBiasShift(m.comparison);
      lastPreset = runPreset;
      if (lastPreset) ours[lastPreset] = ourFigure(lastPreset, m.comparison);
      showPresets();
      explorer.studentsChanged();
      break;
    case "inspection":
      explorer.showInspection(m);
      break;
    case "hard-examples":
      explorer.showHard(m.indices);
      break;
    case "drawing":
      explorer.showDrawing(m.prediction);
      break;
    case "bias-shift":
      showShift(m.shift);
      break;
    case "stopped":
      running = false;
      updateButtons();
      setStatus("stopped");
      break;
    case "error":
      // A drawing the core cannot read is said beside the pad, not as a page-wide error.
      // An explorer request that failed leaves a run going on untouched.
      if (m.fatal || m.about === "start" || m.about === "init") fail(m.message, m.fatal);
      else if (m.about === "draw") explorer.drawFailed(m.message);
      else if (m.about === "hard") explorer.hardFailed(m.message);
      else notice(m.message, "error");
      break;
  }
}

/** Shows an error; a fatal one on WebGPU switches to the CPU and retries the run. */
function fail(message, fatal) {
  const wasRunning = running;
  running = false;
  if (fatal && backend === "webgpu") {
    notice(`WebGPU failed: ${message}. Switched to the CPU backend${wasRunning ? " and restarted the run" : ""}; earlier results are kept.`, "error");
    backendSelect.value = "cpu";
    startWorker("cpu");
    rerunWhenReady = wasRunning;
    return;
  }
  notice(message, "error");
  setStatus(fatal ? "failed: reload the page to try again" : "error");
  if (fatal) ready = false;
  updateButtons();
}

function distill() {
  if (!ready || running) return;
  const { settings, errors } = readForm(form);
  if (Object.keys(errors).length) {
    showProblems(form, errors, []);
    notice("Some settings need fixing first (see the messages beside them).", "error");
    return;
  }
  running = true;
  runPreset = matchingPreset(formValues());
  updateButtons();
  clearNotices();
  lossChart.reset();
  accuracyChart.reset();
  for (const id of ["#teacher-bar", "#distilled-bar", "#scratch-bar"]) showBar(id, 0, "");
  worker.postMessage({ type: "start", settings });
}

function check() {
  if (!ready) return;
  const { settings, errors } = readForm(form);
  showProblems(form, errors, []);
  worker.postMessage({ type: "check", settings });
}

function showProgress(u) {
  showBar("#teacher-bar", u.teacher_done / u.teacher_total, `${int(u.teacher_done)} / ${int(u.teacher_total)} images`);
  for (const [key, r] of [["distilled", u.distilled], ["scratch", u.scratch]]) {
    if (!r) continue;
    const left = u.eta_s != null && r.step < r.total_steps ? ` · ${duration(u.eta_s)} left` : "";
    showBar(`#${key}-bar`, r.step / r.total_steps, `step ${int(r.step)} / ${int(r.total_steps)} · epoch ${r.epoch.toFixed(2)}${left}`);
  }
  if (u.distilled) {
    const step = u.distilled.step;
    lossChart.add(step, u.distilled.loss, u.scratch?.loss ?? null);
    if (u.distilled.live_accuracy != null || u.scratch?.live_accuracy != null)
      accuracyChart.add(step, u.distilled.live_accuracy, u.scratch?.live_accuracy ?? null);
  }
}

function showTeacher(card) {
  $("#teacher-arch").textContent = card.summary;
  $("#teacher-accuracy").textContent = `${pct(card.test_accuracy)} (${int(card.test_errors)} errors on the 10,000 test images; measured when it was trained)`;
  $("#teacher-size").textContent = `${int(card.params)} parameters · ${bytes(card.bytes)}`;
  $("#teacher-latency").textContent = `measuring on ${backendName(backend)}…`;
  $("#teacher-card").hidden = false;
}

function showTeacherLatency(latency) {
  const one = latency.find((l) => l.batch_size === 1);
  const many = latency.at(-1);
  $("#teacher-latency").textContent = `${ms(one.ms_per_batch)} per image alone · ${ms(many.ms_per_image)} per image at batch ${many.batch_size} (${backendName(backend)}, median of ${many.repeats})`;
}

function showBar(selector, fraction, text) {
  const el = $(selector);
  el.querySelector("progress").value = Math.max(0, Math.min(1, fraction || 0));
  el.querySelector(".bar-text").textContent = text;
}

function setStatus(text) {
  $("#status").textContent = text;
}

function updateButtons() {
  distillButton.disabled = !ready || running;
  stopButton.disabled = !running;
}

function notice(text, kind) {
  const p = document.createElement("p");
  p.className = `notice ${kind}`;
  p.textContent = text;
  $("#notices").append(p);
}

function clearNotices() {
  for (const p of document.querySelectorAll("#notices .notice.error")) p.remove();
}

function showGeneral(messages) {
  $("#settings-general").textContent = messages.join(" ");
}

function pageUrl(hash) {
  return `${location.origin}${location.pathname}${hash}`;
}

/** Shows `text` (a link or a snippet) selected in a box, and copies it where the browser allows. */
function offerLink(text, label) {
  const box = $("#share-output");
  box.hidden = false;
  box.value = text;
  box.setAttribute("aria-label", label);
  box.select();
  history.replaceState(null, "", writeHash(form));
  navigator.clipboard?.writeText(text).then(() => setStatus(`${label.toLowerCase()} copied`), () => {});
}

function formValues() {
  return Object.fromEntries(FIELDS.map((f) => [f.id, form.elements[f.id].value]));
}

/** `{preset: id}` when the form holds a preset's values exactly, for links. */
function presetKey() {
  const id = matchingPreset(formValues());
  return id ? { preset: id } : {};
}

function applyPreset(id) {
  for (const [field, value] of Object.entries(presetValues(id))) form.elements[field].value = value;
  check();
}

function buildPresets() {
  const body = $("#presets-table tbody");
  for (const [id, p] of Object.entries(PRESETS)) {
    const tr = document.createElement("tr");
    tr.dataset.preset = id;
    const use = document.createElement("button");
    use.type = "button";
    use.className = "secondary";
    use.textContent = p.name;
    use.addEventListener("click", () => applyPreset(id));
    const cells = [use, p.what, p.paper, "not run yet"].map((content) => {
      const td = document.createElement("td");
      td.append(content);
      return td;
    });
    cells[3].className = "ours";
    tr.append(...cells);
    body.append(tr);
  }
}

function showPresets() {
  for (const [id, text] of Object.entries(ours)) $(`#presets-table tr[data-preset="${id}"] .ours`).textContent = text;
}

/** The digit the last run left out (the first, when several were). */
function omittedDigit() {
  return lastComparison?.settings.transfer.omit_classes[0] ?? 3;
}

function showBiasShift(c) {
  const omitted = c.settings.transfer.omit_classes;
  $("#bias-shift").hidden = omitted.length === 0;
  $("#bias-result").textContent = "";
  $("#bias-fit").disabled = c.settings.transfer.holdout === 0;
  $("#bias-fit").title = c.settings.transfer.holdout === 0 ? "Set held-out images above 0 and run again" : "";
  for (const span of document.querySelectorAll(".omitted-digit")) span.textContent = String(omittedDigit());
}

function showShift(s) {
  const d = s.class;
  $("#bias-result").textContent = `Bias of the ${d}s raised by ${s.delta.toFixed(1)} (${shiftSource(s)}): ${int(s.before.errors)} → ${int(s.after.errors)} test errors; `
    + `${d}s wrong: ${int(s.before.class_errors)} → ${int(s.after.class_errors)} of ${int(s.after.class_total)}.`;
  if (lastPreset === "omit-3" && lastComparison) {
    ours[lastPreset] = ourFigure(lastPreset, lastComparison, s);
    showPresets();
  }
}
