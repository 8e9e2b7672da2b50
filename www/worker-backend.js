// Which backend the worker runs on (www/worker.js decides; src/calibrate.rs judges the timings):
// the WebGPU adapter and its limits, and the verdict of "auto"'s timing remembered per adapter
// and student shape in the Cache API (workers have no localStorage).

const DECISIONS = "webdistill-backend-v1";
const decisionKey = (adapter, values) =>
  new URL(`/backend-decision?${new URLSearchParams({ adapter, hidden: values.hidden ?? "", batch: values.batch_size ?? "" })}`, self.location.origin);

/** The adapter: its limits, an identifying key, its name, whether it is a software fallback; or
 * why WebGPU cannot be used. */
export async function webgpuAdapter() {
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
export async function recall(adapter, values) {
  try {
    const hit = await (await caches.open(DECISIONS)).match(decisionKey(adapter, values));
    return hit ? await hit.json() : null;
  } catch {
    return null;
  }
}

export async function remember(adapter, values, decision) {
  try {
    await (await caches.open(DECISIONS)).put(decisionKey(adapter, values), new Response(JSON.stringify(decision)));
  } catch {
    // No Cache API here: the next visit measures again.
  }
}

/** `promise`'s value, or null when it takes longer than `ms` (it goes on in the background). */
export function withinBudget(promise, ms) {
  const late = new Promise((resolve) => setTimeout(() => resolve(null), ms));
  return Promise.race([promise.catch(() => null), late]);
}
