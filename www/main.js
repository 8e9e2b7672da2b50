// The page's controller: owns the worker (through WorkerClient), turns its answers and events into
// views, and the form and buttons into requests. Holds no model state and does no maths: every
// number it shows comes from the worker.

import { className, showTask } from "./classes.js";
import { BiasShiftPanel } from "./bias-shift.js";
import { ModelCards, story } from "./cards.js";
import { wireDownloads } from "./export.js";
import { Explorer } from "./explore.js";
import { backendName, int } from "./format.js";
import { clearNotices, notice, setStatus } from "./notices.js";
import { PresetsView } from "./presets.js";
import { ResultsView } from "./results.js";
import { SettingsForm } from "./settings.js";
import { OwnTeacher } from "./own-teacher.js";
import { SweepView } from "./sweep.js";
import { ResultStore } from "./store.js";
import { TreeView } from "./tree.js";
import { PANELS, readHash, refusedFromLink } from "./url-state.js";
import { progressView, showDownload } from "./progress.js";
import { Sharing } from "./share.js";
import { WorkerClient, WorkerError } from "./worker-client.js";

const $ = (selector) => document.querySelector(selector);
/** How long the worker may stay silent while starting (compiling wasm, downloading) before the page says so. */
const STARTUP_SILENCE_MS = 60_000;
/** How long the page stays idle (after "ready", a new teacher, or a run without results) before
 * it times the teacher for its card: long enough for a click that comes at once to go first. */
const TEACHER_TIMING_IDLE_MS = 1500;

const state = {
  client: null, backend: null, ready: false, running: null, sweeping: null, rerun: false, autorun: false,
  comparison: null, runPreset: null, lastPreset: null, card: null,
};
let form = null;
/** Where results are kept between visits (www/store.js); made with the link's keep= in mind. */
let store = new ResultStore(false);
let presets = null;
let charts = null;
/** The core's schema, once the worker has sent it (the charts wait for it: their titles use it). */
let schemaArrived;
const schemaReady = new Promise((resolve) => (schemaArrived = resolve));
const cards = new ModelCards($("#experiment"));
const results = new ResultsView($("#results"));
/** Gets its charts when the chart module has loaded (it draws its table without them). */
const sweepView = new SweepView($("#sweep"), null);
const explorer = new Explorer(null, (error) => notice(error.message, "error"));
const treeView = new TreeView($("#tree"), (error) => notice(`The tree could not be drawn: ${error.message}`, "error"));
const ownTeacher = new OwnTeacher({
  client: () => state.client, idle: () => state.ready && !state.running && !state.sweeping, form: () => form, cards,
  notice: (text, kind) => notice(text, kind), show: useTeacher, check: () => check(),
});
const biasPanel = new BiasShiftPanel({
  request: (type, fields) => state.client.request(type, fields), paperShift: () => state.paperBiasShift,
  onShifted: (c, shift) => state.lastPreset === "omit-3" && presets.record("omit-3", c, shift), onError: (error) => notice(error.message, "error"),
});
explorer.onImage = (pixels) => treeView.update(pixels);
// The explorer's image and temperature are kept for the next visit, half a second after the last change.
explorer.onState = (s) => store.saveLater("explorer", s, 500, {
  // What was last kept, on the page for a test to wait on.
  onSaved: () => ($("#explore").dataset.kept = JSON.stringify(s)),
  onError: (error) => notice(`${error.message}.`, "info"),
});
explorer.teacherName = () => document.querySelector("#card-teacher .choice select")?.selectedOptions[0]?.textContent ?? "teacher";

wireButtons();
// The worker first (compiling wasm takes the longest), the charts meanwhile.
start();
loadCharts();

/** The chart module, loaded so that a failure is a notice and the page goes on without charts. */
async function loadCharts() {
  try {
    const [{ pageCharts }, schema] = await Promise.all([import("./charts.js"), schemaReady]);
    charts = pageCharts(schema);
    cards.sparks = charts.sparks;
  } catch (error) {
    notice(`The charts could not load (${error.message}); every number is still shown as text.`, "info");
    return;
  }
  sweepView.charts = { accuracy: charts.sweepAccuracy, time: charts.sweepTime };
}

/** Starts (or restarts) the worker on the backend chosen, and the page once it answers. */
async function start() {
  state.client?.terminate();
  treeView.reset();
  state.ready = false;
  updateButtons();
  setStatus("starting");
  const client = new WorkerClient(new URL("./worker.js", import.meta.url), { onEvent, onDeath: (e) => workerDied(e) });
  state.client = client;
  try {
    const schema = await client.request("boot", {}, { silenceMs: STARTUP_SILENCE_MS });
    if (!form) await buildForm(schema);
    const opened = await client.request("open", { backend: $("#backend").value, values: form.values(), cores: state.cores },
      { silenceMs: STARTUP_SILENCE_MS });
    if (client !== state.client) return;
    showBackend(opened);
    state.card = opened.card;
    ownTeacher.offer(opened.own);
    state.teacherId = opened.teacher;
    state.task = opened.task;
    explorer.setTestImages(opened.testImages);
    showTask(taskInfo(opened.task));
    cards.teachersOf(opened.task);
    if (form.values().teacher !== opened.teacher) form.set({ teacher: opened.teacher });
    cards.teacher(opened.card);
    state.ready = true;
    setStatus("ready");
    updateButtons();
    keepForOffline();
    // "auto" on a first visit: the page is ready on the CPU while both backends are timed; a
    // run asked for meanwhile waits for the verdict (CALIBRATION_BUDGET_MS in www/worker-backend.js).
    state.calibration = opened.calibrate
      ? client.request("calibrate", { values: form.values() }).then(showBackend, (error) => {
        if (!error.fatal) notice(`The backends could not be timed (${error.message}); running on the CPU.`, "info");
      })
      : null;
    await check();
    await showKept();
    explorer.ready(client);
    $("#sweep").hidden = false;
    if (state.rerun || state.autorun) {
      state.rerun = state.autorun = false;
      distill();
    }
    // Start-up is over, a linked run asked for or not: what a test (or an embedder) can wait on
    // to know the page will start nothing on its own.
    document.body.dataset.startup = "done";
  } catch (error) {
    if (client === state.client) startFailed(error);
    return;
  }
  // Ready first, timing second: on a slow GPU (SwiftShader) the timing alone takes seconds.
  await state.calibration?.catch(() => {});
  if (client === state.client) timeTeacherWhenIdle();
}

/**
 * Times the teacher for its card once the page has stayed idle TEACHER_TIMING_IDLE_MS. The
 * timing holds the worker for about a second, so a click that comes at once (a newcomer's) would
 * wait for it; a run started first measures the teacher itself, and a run that ends without
 * results (stopped, failed) or a sweep leaves it to be timed again.
 */
function timeTeacherWhenIdle() {
  clearTimeout(state.teacherTiming);
  state.teacherTimed = false;
  cards.teacherLatency(null);
  const client = state.client;
  state.teacherTiming = setTimeout(async () => {
    if (client !== state.client || state.running || state.sweeping) return;
    try {
      cards.teacherLatency(await client.request("teacher-latency"));
      state.teacherTimed = true;
    } catch (error) {
      if (client === state.client && !error.fatal) notice(`The teacher's time could not be measured: ${error.message}`, "error");
    }
  }, TEACHER_TIMING_IDLE_MS);
}

/**
 * Offline after one visit: the service worker (www/sw.js) keeps this build of the page. Registered
 * once the page is ready, so its download of the shell never delays the first one.
 */
function keepForOffline() {
  if (!("serviceWorker" in navigator) || state.offlineAsked) return;
  state.offlineAsked = true;
  navigator.serviceWorker.register(new URL("./sw.js", import.meta.url)).catch((error) =>
    notice(`This page will not work offline here (${error.message}).`, "info"));
}

/** The form and presets from the core's schema; the link's settings over them. */
async function buildForm(schema) {
  schemaArrived(schema);
  form = new SettingsForm($("#settings-form"), schema);
  presets = new PresetsView($("#preset-chips"), $("#presets-table"), schema.presets, applyPreset);
  cards.teachers(schema.teachers, (id) => {
    form.set({ teacher: id });
    check();
  });
  state.tasks = schema.tasks;
  state.defaultTask = schema.settings.find((s) => s.key === "task").default;
  state.taskPresets = schema.task_presets;
  state.paperBiasShift = schema.paper_bias_shift;
  explorer.setMaxTemperature(schema.explore_max_temperature);
  cards.liveImages = schema.live_eval_images;
  $("#bias-paper").textContent = `Raise by ${schema.paper_bias_shift} (the paper)`;
  $("#task-switch").replaceChildren(...schema.tasks.map((t) => new Option(t.dataset, t.key)));
  $("#task-switch").addEventListener("change", (e) => switchTask(e.target.value));
  const link = readHash(location.hash, schema);
  if (link.preset) form.set(form.presetValues(link.preset));
  form.set(link.values);
  cards.teachersOf(form.values().task);
  for (const problem of link.problems) notice(problem, "error");
  if (link.backend) $("#backend").value = link.backend;
  state.cores = link.cores;
  // Results kept for the next visit: always on the page itself, in an embed only with keep=1.
  store = new ResultStore(link.keep ?? !link.embed);
  document.body.classList.toggle("embed", link.embed);
  for (const panel of link.hide) $(`#${PANELS[panel]}`).classList.add("embed-hidden");
  // A link whose settings the core refuses runs nothing: its values are dropped with a notice.
  state.linkValues = link.values;
  state.autorun = link.autorun && link.problems.length === 0;
  $("#settings-form").addEventListener("input", () => {
    clearTimeout(state.checkTimer);
    state.checkTimer = setTimeout(check, 200);
  });
  $("#settings-form").addEventListener("submit", (e) => {
    e.preventDefault();
    distill();
  });
}

/** Asks the core about the form's settings: problems beside the fields, the plan on the cards. */
async function check() {
  if (!state.ready) return [];
  const values = form.values();
  const problems = await state.client.request("check", { values });
  if (state.linkValues) {
    // Settings from the link that the core refuses are dropped, and the link does not run.
    for (const p of problems.filter((p) => p.key && p.key in state.linkValues)) {
      notice(refusedFromLink(p.key, state.linkValues[p.key], p.message), "error");
      form.set({ [p.key]: form.defaults()[p.key] });
      state.autorun = false;
    }
    state.linkValues = null;
    if (problems.some((p) => p.key)) return check();
  }
  $("#settings-general").textContent = form.showProblems(problems).join(" ");
  presets.mark(form.matchingPreset());
  $("#task-switch").value = values.task;
  cards.teacherChoice(values.teacher);
  if (!problems.length) {
    // A task or teacher chosen now is loaded now (downloaded the first time), so the cards show it.
    if ((values.teacher !== state.teacherId || values.task !== state.task) && (await state.client.request("teacher", { values }))) {
      state.teacherId = values.teacher;
      state.task = values.task;
    }
    const plan = await state.client.request("plan", { values });
    cards.plan(plan);
    $("#settings-summary").textContent = summary(plan);
  }
  return problems;
}

/** The settings in one line. */
function summary(plan) {
  const s = plan.settings;
  const assistant = plan.assistant ? ` through a ${plan.assistant.architecture} assistant` : "";
  const omitted = s.omit.length ? `, without ${s.omit.map(className).join(", ")}` : "";
  return `Student ${plan.student.architecture}${assistant} · ${int(s.size)} images, ${int(s.labeled)} labeled${omitted} · ` +
    `${plan.loss} · ${s.epochs} epochs`;
}

/** A teacher loaded on the teacher's card (one's own, or the default back): the setting and the card. */
function useTeacher(card, id) {
  form.set({ teacher: id });
  state.teacherId = id;
  showTeacher(card);
}

/** A newly loaded teacher: its card, and its time per image on this backend once idle. */
function showTeacher(card) {
  state.card = card;
  cards.teacher(card);
  timeTeacherWhenIdle();
}

const taskInfo = (key) => state.tasks.find((t) => t.key === key) ?? state.tasks[0];

/** The switcher in the first screen: the task's default experiment. */
function switchTask(key) {
  applyPreset(state.taskPresets[key]);
}

/**
 * The worker's data is now task `key`'s: class names everywhere, its teachers offered, and the
 * other task's results put away (its students are gone from the worker).
 */
function taskChanged(key, testImages) {
  showTask(taskInfo(key));
  explorer.setTestImages(testImages);
  cards.teachersOf(key);
  state.task = key;
  if (state.comparison && runTask(state.comparison) !== key) {
    state.comparison = null;
    cards.reset();
    for (const id of ["#results", "#curves", "#kept-note", "#bias-shift"]) $(id).hidden = true;
    $("#story").textContent = "";
  }
  explorer.taskChanged();
}

/** The task a comparison ran on (results kept before there were tasks ran on the default one). */
const runTask = (comparison) => comparison.settings.task ?? state.defaultTask;

function applyPreset(id) {
  form.set(form.presetValues(id));
  check();
}

async function distill() {
  if (!state.ready || state.running || state.sweeping) return;
  clearNotices();
  if (state.calibration) {
    setStatus("timing the CPU and WebGPU on this run");
    await state.calibration.catch(() => {});
  }
  const problems = await check();
  if (problems.length) {
    notice("Some settings need fixing first (see the messages beside them).", "error");
    $("#settings-panel").open = true;
    document.body.dataset.runRequest = "refused";
    return;
  }
  // What became of the last request to run, on the page for a test (or an embedder) to read.
  document.body.dataset.runRequest = "started";
  const values = form.values();
  state.runPreset = form.matchingPreset();
  state.running = state.client.peekId();
  state.twin = null;
  updateButtons();
  cards.reset();
  charts?.loss.reset();
  charts?.accuracy.reset();
  $("#story").textContent = "";
  $("#curves").hidden = false;
  $("#progress").hidden = false;
  try {
    const answer = await state.client.request("start", { values });
    if (answer.problems) return void form.showProblems(answer.problems);
    if (answer.stopped) return void setStatus("stopped");
    showComparison(answer.comparison, answer.files);
    state.teacherTimed = true;
  } catch (error) {
    runFailed(error);
  } finally {
    state.running = null;
    updateButtons();
    if (!state.teacherTimed) timeTeacherWhenIdle();
  }
}

function showComparison(c, files) {
  $("#kept-note").hidden = true;
  setStatus("done");
  $("#progress").hidden = true;
  showResult(c);
  results.showStudentFiles(files);
  explorer.studentsChanged();
  treeView.runChanged(state.client, c.settings.student === "tree");
  store.save("comparison", c).catch((error) => notice(`${error.message}.`, "info"));
}

/** A comparison's numbers everywhere they show: a run's just now, or one kept from a visit before. */
function showResult(c) {
  state.comparison = c;
  cards.result(c);
  $("#story").textContent = story(c);
  results.show(c);
  biasPanel.show(c);
  state.lastPreset = state.runPreset;
  if (state.lastPreset) presets.record(state.lastPreset, c);
}

/**
 * On a visit after a run: the last comparison and sweep, as they were, with when they were made,
 * and the explorer's image and temperature.
 * The students themselves are not kept (a run makes them again in seconds).
 */
async function showKept() {
  let comparison = null;
  let sweepKept = null;
  let explorerKept = null;
  try {
    [comparison, sweepKept, explorerKept] = [await store.load("comparison"), await store.load("sweep"), await store.load("explorer")];
  } catch (error) {
    notice(`Results kept from an earlier visit could not be read (${error.message}).`, "info");
    return;
  }
  if (explorerKept) explorer.restore(explorerKept.value);
  if (sweepKept && !sweepView.result) {
    sweepView.finish(sweepKept.value.result, sweepKept.value.stopped, sweepKept.value.workers);
    $("#sweep-status").textContent = `From your last sweep, ${dateOf(sweepKept.date)}. ${$("#sweep-status").textContent}`;
  }
  // A run of the other task stays kept, for when the page shows that task again.
  if (!comparison || state.comparison || runTask(comparison.value) !== state.task) return;
  showResult(comparison.value);
  $("#curves").hidden = true;
  const note = $("#kept-note");
  note.querySelector("span").textContent = `From your last run, ${dateOf(comparison.date)}: ${summary({
    settings: comparison.value.settings, loss: comparison.value.loss, student: { architecture: comparison.value.distilled.architecture },
    assistant: comparison.value.assistant })}. Its students are not kept: run again to explore or download them.`;
  note.hidden = false;
}

const dateOf = (iso) => new Date(iso).toLocaleString();

function onEvent(e) {
  if (e.event === "gpu-lost" && state.backend === "webgpu") {
    state.client.die(new WorkerError(`the WebGPU device was lost (${e.message})`, { fatal: true }));
    return;
  }
  if (e.event === "task") taskChanged(e.task, e.testImages);
  else if (e.event === "teacher") showTeacher(e.card);
  else if (e.event === "status") setStatus(e.text);
  else if (e.event === "download") showDownload(e.loaded, e.total);
  else if (e.event === "progress" && e.run === state.running) showProgress(e.update);
  else if (e.event === "twin-progress" && e.run === state.running) showTwinProgress(e.update);
  else if (e.event === "sweep" && e.run === state.sweeping) {
    sweepView.progress(e.update);
    setStatus(`sweep: student ${e.update.index + 1} of ${e.update.students.length}`);
  }
}

function showProgress(u) {
  // The scratch twin may train on another worker: its last step is told with the run's.
  const view = progressView({ ...u, scratch: u.scratch ?? state.twin }, state.backend);
  setStatus(view.status);
  cards.progress(u);
  if (view.training) {
    charts?.loss.add(u.distilled.step, u.distilled.loss, u.scratch?.loss ?? null);
    if (u.distilled.live_accuracy != null || u.scratch?.live_accuracy != null) charts?.accuracy.add(u.distilled.step, u.distilled.live_accuracy, u.scratch?.live_accuracy ?? null);
  }
  $("#phase-label").textContent = view.label;
  $("#progress progress").value = view.fraction;
  $("#phase-text").textContent = view.text;
}

/** A slice of the scratch twin trained on another worker (its curve; the text waits for the run's). */
function showTwinProgress(r) {
  state.twin = r;
  cards.progress({ scratch: r });
  charts?.loss.add(r.step, null, r.loss);
  if (r.live_accuracy != null) charts?.accuracy.add(r.step, null, r.live_accuracy);
}

async function sweep() {
  if (!state.ready || state.running || state.sweeping) return;
  await state.calibration?.catch(() => {});
  const values = form.values();
  state.sweeping = state.client.peekId();
  updateButtons();
  sweepView.reset();
  try {
    const answer = await state.client.request("sweep", { values });
    if (answer.problems) {
      form.showProblems(answer.problems);
      $("#sweep-status").textContent = answer.problems.map((p) => p.message).join(" ");
      return;
    }
    sweepView.finish(answer.result, Boolean(answer.stopped), answer.workers);
    store.save("sweep", { result: answer.result, stopped: Boolean(answer.stopped), workers: answer.workers })
      .catch((error) => notice(`${error.message}.`, "info"));
    setStatus(answer.stopped ? "sweep stopped" : "sweep done");
  } catch (error) {
    runFailed(error);
  } finally {
    state.sweeping = null;
    updateButtons();
    if (!state.teacherTimed) timeTeacherWhenIdle();
  }
}

/** A run's failure: a fatal one on WebGPU switches to the CPU and runs again; results are kept. */
function runFailed(error) {
  if (error.fatal && state.backend === "webgpu") return;
  notice(error.message, "error");
  setStatus("error");
}

/** The worker cannot answer any more (a trap, a lost GPU, a crash): replace it. */
function workerDied(error) {
  const wasRunning = Boolean(state.running);
  if (state.backend === "webgpu") {
    notice(`WebGPU failed: ${error.message}. Switched to the CPU backend${wasRunning ? " and started the run again" : ""}; earlier results are kept.`, "error");
    $("#backend").value = "cpu";
    state.rerun = wasRunning;
    state.running = null;
    start();
    return;
  }
  if (!state.ready) return startFailed(error);
  notice(`${error.message}. Reload the page to try again.`, "error");
  setStatus("failed: reload the page to try again");
  state.ready = false;
  updateButtons();
}

function startFailed(error) {
  notice(`The page could not start: ${error.message}. Reload to try again; if it fails again, try another browser or the CPU backend (link: #backend=cpu).`, "error");
  setStatus("failed to start");
  state.ready = false;
  updateButtons();
}

function showBackend({ backend, reason, measured, remembered }) {
  state.backend = backend;
  $("#backend-badge").textContent = backendName(backend);
  $("#backend-badge").dataset.backend = backend;
  if (!reason) return;
  // Either WebGPU could not be used at all, or "auto" measured both and says what it found.
  const text = measured ? `Running on ${backendName(backend)}: ${reason}${remembered ? " (measured on an earlier visit)" : ""}.`
    : `Running on the CPU: ${reason}.`;
  notice(text, "info");
}

function wireButtons() {
  $("#distill").addEventListener("click", distill);
  $("#stop").addEventListener("click", () => state.client?.request("stop"));
  $("#sweep-start").addEventListener("click", sweep);
  $("#kept-clear").addEventListener("click", async () => {
    try {
      await store.clear();
      $("#kept-note").hidden = true;
      notice("Kept results cleared: nothing from your runs is stored in this browser now.", "info");
    } catch (error) {
      notice(`The kept results could not be cleared (${error.message}).`, "error");
    }
  });
  wireDownloads({ comparison: () => state.comparison, sweep: () => sweepView.result });
  const sharing = new Sharing({ values: () => form.values(), preset: () => form.matchingPreset(), onCopied: (label) => setStatus(`${label.toLowerCase()} copied`) });
  $("#share").addEventListener("click", () => sharing.link());
  $("#embed").addEventListener("click", () => sharing.embed());
  $("#open-settings").addEventListener("click", () => {
    $("#settings-panel").open = true;
  });
  $("#backend").addEventListener("change", start);
  window.addEventListener("error", (e) => notice(`Unexpected error: ${e.message}`, "error"));
  window.addEventListener("unhandledrejection", (e) => notice(`Unexpected error: ${e.reason?.message ?? e.reason}`, "error"));
}

function updateButtons() {
  const busy = Boolean(state.running || state.sweeping);
  $("#distill").disabled = !state.ready || busy;
  $("#sweep-start").disabled = !state.ready || busy;
  $("#stop").disabled = !busy;
}
