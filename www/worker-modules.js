// The two builds of the wasm module (scripts/build-web.sh) and their loading. The CPU build has
// the CPU backend alone and is a fifth of the size: the page starts on it, and the WebGPU build
// (the same API, plus burn-wgpu) is fetched only when a session on WebGPU is wanted ("webgpu", or
// "auto"'s timing where the browser has WebGPU). Each build has its own JS glue: a wasm-bindgen
// glue file only works with the module it was generated with.

const BUILDS = {
  cpu: "./generated/pkg-cpu/",
  webgpu: "./generated/pkg/",
};

/** build → promise of {api (the glue module's exports, initialised), module (WebAssembly.Module)} */
const loading = new Map();
/** The builds whose instance is running, for `lastPanic`. */
const running = [];

/** The build a session on `backend` ("cpu", "webgpu") needs, fetched and instantiated once. */
export function build(backend) {
  if (!BUILDS[backend]) throw new Error(`no build of the module for ${JSON.stringify(backend)}`);
  if (!loading.has(backend)) {
    const pending = load(backend);
    // A failed download may be tried again later (e.g. once back online).
    pending.catch(() => loading.delete(backend));
    loading.set(backend, pending);
  }
  return loading.get(backend);
}

async function load(backend) {
  const base = new URL(BUILDS[backend], import.meta.url);
  const what = backend === "cpu" ? "the WebAssembly module" : "the WebGPU build of the WebAssembly module";
  let response;
  try {
    response = await fetch(new URL("webdistill_bg.wasm", base));
  } catch (error) {
    throw new Error(`could not download ${what} (${error.message})`);
  }
  if (!response.ok) throw new Error(`could not download ${what} (HTTP ${response.status})`);
  // Compiled while it downloads; the module is kept for the labelling helpers.
  const module = await (WebAssembly.compileStreaming
    ? WebAssembly.compileStreaming(response)
    : response.arrayBuffer().then((bytes) => WebAssembly.compile(bytes)));
  const api = await import(new URL("webdistill.js", base).href);
  await api.default({ module_or_path: module });
  running.push(api);
  return { api, module };
}

/** The message of the last panic in any running instance (the cause of a trap), or null. */
export function lastPanic() {
  for (const api of running) {
    try {
      const panic = api.lastPanic();
      if (panic) return panic;
    } catch {
      // that instance is too broken even for that
    }
  }
  return null;
}

