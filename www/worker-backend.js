// Which backend the worker's session runs on (src/calibrate.rs judges the timings): the WebGPU
// adapter and its limits, "auto"'s timing of both backends, and its verdict remembered per
// adapter and student shape in the Cache API (workers have no localStorage). www/worker.js owns
// the session and its data; this file only chooses.

import { build } from "./worker-modules.js";

/** How long "auto" lets WebGPU warm up and time a few steps before judging it the slower. */
const CALIBRATION_BUDGET_MS = 1200;

/**
 * Opens sessions on the backend chosen. `newSession(backend, limits)` makes one with the
 * worker's data loaded.
 */
export class BackendChoice {
  constructor(newSession) {
    this.newSession = newSession;
    /** The WebGPU adapter's key and limits (or why there is none), once asked for. */
    this.adapter = null;
  }

  /**
   * The session to start on for `choice` ("auto", "webgpu", "cpu"). "auto" opens on the CPU at
   * once (the page is ready), and `calibrate` then times both backends; a verdict remembered
   * from an earlier visit is used straight away, and a software adapter is not timed at all
   * (the core's `chooseWithoutMeasuring`). Returns {session, reason (why not WebGPU, or the
   * measurement), measured, remembered, calibrate (whether to call `calibrate`)}.
   */
  async open(choice, values) {
    const cpu = await this.newSession("cpu");
    if (choice === "cpu") return { session: cpu, reason: null };
    const adapter = (this.adapter = await webgpuAdapter());
    if (adapter.problem) return { session: cpu, reason: adapter.problem };
    const onWebgpu = async (verdict) => {
      cpu.free();
      return { session: await this.newSession("webgpu", adapter.limits), ...verdict };
    };
    if (choice === "webgpu") return onWebgpu({ reason: null });
    const { api: core } = await build("cpu");
    const unmeasured = core.chooseWithoutMeasuring(adapter.fallback, adapter.name);
    if (unmeasured) return { session: cpu, reason: unmeasured.reason };
    const remembered = await recall(adapter.key, values);
    const verdict = { reason: remembered?.reason, measured: true, remembered: true };
    if (remembered?.backend === "webgpu") return onWebgpu(verdict);
    if (remembered) return { session: cpu, ...verdict };
    return { session: cpu, reason: null, calibrate: true };
  }

  /**
   * "auto" on a first visit: times the run's student and the teacher on the CPU (session `cpu`)
   * and on WebGPU (within CALIBRATION_BUDGET_MS), takes the faster and remembers the verdict for
   * this adapter. Returns {session (`cpu`, or a WebGPU one that won; the loser is freed),
   * reason, measured}.
   */
  async calibrate(cpu, values, status) {
    const cpuTime = await cpu.calibrate(values);
    // The WebGPU build is fetched now, after the page is ready, and outside the timing's budget.
    try {
      status("downloading the WebGPU build of the module");
      await build("webgpu");
    } catch (error) {
      return { session: cpu, reason: error.message, measured: false };
    }
    status("timing the CPU and WebGPU on this run");
    const timed = async () => {
      const session = await this.newSession("webgpu", this.adapter.limits);
      return { session, calibration: await session.calibrate(values) };
    };
    const gpu = await withinBudget(timed(), CALIBRATION_BUDGET_MS);
    const { api: core } = await build("cpu");
    const decision = core.chooseBackend(cpuTime, gpu?.calibration ?? null, values, CALIBRATION_BUDGET_MS);
    await remember(this.adapter.key, values, decision);
    if (decision.backend === "webgpu") {
      cpu.free();
      return { session: gpu.session, reason: decision.reason, measured: true };
    }
    gpu?.session.free();
    return { session: cpu, reason: decision.reason, measured: true };
  }
}

const DECISIONS = "webdistill-backend-v1";
const decisionKey = (adapter, values) =>
  new URL(`/backend-decision?${new URLSearchParams({ adapter, hidden: values.hidden ?? "", batch: values.batch_size ?? "" })}`, self.location.origin);

/** The adapter: its limits, an identifying key, its name, whether it is a software fallback; or
 * why WebGPU cannot be used. */
async function webgpuAdapter() {
  if (!self.navigator.gpu) return { problem: "this browser has no WebGPU (navigator.gpu is missing)" };
  try {
    const adapter = await self.navigator.gpu.requestAdapter();
    if (!adapter) return { problem: "WebGPU found no usable adapter" };
    const info = adapter.info ?? {};
    const key = [info.vendor, info.architecture, info.device, info.description].join("|");
    const { maxBufferSize, maxStorageBufferBindingSize } = adapter.limits;
    // A software adapter (SwiftShader) says so; older browsers said it on the adapter itself.
    const fallback = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter);
    const name = [info.vendor, info.architecture].filter(Boolean).join(" ") || "unnamed";
    return { key, name, fallback, limits: { maxBufferSize, maxStorageBufferBindingSize } };
  } catch (error) {
    return { problem: `WebGPU could not start: ${error?.message ?? String(error)}` };
  }
}

/** The verdict remembered for this adapter and these settings' student, or null. */
async function recall(adapter, values) {
  try {
    const hit = await (await caches.open(DECISIONS)).match(decisionKey(adapter, values));
    return hit ? await hit.json() : null;
  } catch {
    return null;
  }
}

async function remember(adapter, values, decision) {
  try {
    await (await caches.open(DECISIONS)).put(decisionKey(adapter, values), new Response(JSON.stringify(decision)));
  } catch {
    // No Cache API here: the next visit measures again.
  }
}

/** `promise`'s value, or null when it takes longer than `ms` (it goes on in the background). */
function withinBudget(promise, ms) {
  const late = new Promise((resolve) => setTimeout(() => resolve(null), ms));
  return Promise.race([promise.catch(() => null), late]);
}
