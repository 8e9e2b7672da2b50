// The benchmark's WebGPU profiler: wraps the WebGPU methods both libraries reach (through
// wasm-bindgen's glue for webdistill's wgpu, directly for TF.js) to count, per training step, what
// it asks of the device (compute dispatches and the invocations they launch, submissions, buffer
// creations, uploads, readbacks) and to time each dispatch on the device with timestamps written
// inside its pass. docs/BENCHMARKS.md reads these beside the time per step.

const COUNTED = [
  ["GPUComputePassEncoder", "dispatchWorkgroups", "dispatches"],
  ["GPUCommandEncoder", "beginComputePass", "compute_passes"],
  ["GPUCommandEncoder", "copyBufferToBuffer", "buffer_copies"],
  ["GPUQueue", "submit", "submits"],
  ["GPUDevice", "createBuffer", "buffers_created"],
  ["GPUDevice", "createBindGroup", "bind_groups_created"],
  ["GPUDevice", "createComputePipeline", "pipelines_created"],
  ["GPUDevice", "createComputePipelineAsync", "pipelines_created"],
  ["GPUQueue", "writeBuffer", "uploads"],
  ["GPUBuffer", "mapAsync", "readbacks"],
];

const counts = Object.fromEntries(COUNTED.map(([, , name]) => [name, 0]));
counts.upload_bytes = 0;
counts.workgroups = 0;
counts.invocations = 0;
/** kernel name → {dispatches, workgroups, invocations}. */
const kernels = new Map();
/** The counts as each readback began: the last two bracket a timed loop (see readbackWindow). */
const atReadback = [];
const shaderOf = new WeakMap(); // GPUShaderModule → its descriptor (the WGSL)
const kernelOf = new WeakMap(); // GPUComputePipeline → {name, threads}
const pipelineOf = new WeakMap(); // GPUComputePassEncoder → its current kernel
let installed = false;

// Kernel timing: a timestamp on each side of every dispatch (the adapter's
// chromium-experimental-timestamp-query-inside-passes feature, which SwiftShader has here), one
// query set per command encoder, resolved as the encoder finishes and read once it is submitted.
const FEATURES = ["timestamp-query", "chromium-experimental-timestamp-query-inside-passes"];
const QUERIES = 4096; // the most a query set may hold
/** Every timed dispatch, in order: {name, ms} (ms filled in when its encoder's times are read). */
const timedDispatches = [];
const deviceOf = new WeakMap(); // GPUCommandEncoder → GPUDevice
const encoderOf = new WeakMap(); // GPUComputePassEncoder → GPUCommandEncoder
const stampsOf = new WeakMap(); // GPUCommandEncoder → {querySet, dispatches: [timedDispatches entries]}
const finished = []; // encoders' readback buffers waiting for their submission
const reading = []; // promises of readbacks under way
const real = {}; // the unwrapped methods the timer itself calls, so it counts nothing

/**
 * Wraps the methods once (idempotent); returns false where the browser has no WebGPU. Devices
 * created afterwards also time each dispatch, where the adapter can.
 */
export function installGpuCounters() {
  if (installed) return true;
  if (typeof GPUQueue === "undefined") return false;
  real.mapAsync = GPUBuffer.prototype.mapAsync;
  real.createBuffer = GPUDevice.prototype.createBuffer;
  real.copyBufferToBuffer = GPUCommandEncoder.prototype.copyBufferToBuffer;
  installTimer();
  for (const [type, method, name] of COUNTED) {
    wrap(type, method, function before(args) {
      counts[name] += 1;
      if (method === "writeBuffer") counts.upload_bytes += uploadBytes(args[2], args[3] ?? 0, args[4]);
      if (method === "dispatchWorkgroups") countDispatch(pipelineOf.get(this), args);
      if (method === "mapAsync") atReadback.push(snapshot());
    });
  }
  // Timestamps around each dispatch, written inside its pass.
  const dispatch = GPUComputePassEncoder.prototype.dispatchWorkgroups;
  GPUComputePassEncoder.prototype.dispatchWorkgroups = function timed(...args) {
    const closing = stampBefore(this, pipelineOf.get(this)?.name ?? "unknown");
    dispatch.apply(this, args);
    if (closing) this.writeTimestamp(closing.querySet, closing.index);
  };
  wrap("GPUDevice", "createShaderModule", () => {}, (module, [descriptor]) => shaderOf.set(module, descriptor));
  const named = (pipeline, [descriptor]) => kernelOf.set(pipeline, kernelName(descriptor));
  wrap("GPUDevice", "createComputePipeline", () => {}, named);
  wrap("GPUDevice", "createComputePipelineAsync", () => {}, (promise, args) => promise.then((p) => named(p, args)));
  wrap("GPUComputePassEncoder", "setPipeline", function remember([pipeline]) {
    pipelineOf.set(this, kernelOf.get(pipeline));
  });
  installed = true;
  return true;
}

function installTimer() {
  wrap("GPUAdapter", "requestDevice", function ask(args) {
    const extra = FEATURES.filter((f) => this.features.has(f));
    if (extra.length === FEATURES.length) {
      args[0] = { ...(args[0] ?? {}), requiredFeatures: [...(args[0]?.requiredFeatures ?? []), ...extra] };
    }
  });
  wrap("GPUDevice", "createCommandEncoder", () => {}, function remember(encoder) {
    if (this.features.has(FEATURES[1])) deviceOf.set(encoder, this);
  });
  wrap("GPUCommandEncoder", "beginComputePass", () => {}, function remember(pass) {
    encoderOf.set(pass, this);
  });
  wrap("GPUCommandEncoder", "finish", function resolve() {
    const stamps = stampsOf.get(this);
    if (!stamps) return;
    const device = deviceOf.get(this);
    const bytes = stamps.dispatches.length * 16;
    const resolved = real.createBuffer.call(device, { size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const read = real.createBuffer.call(device, { size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.resolveQuerySet(stamps.querySet, 0, stamps.dispatches.length * 2, resolved, 0);
    real.copyBufferToBuffer.call(this, resolved, 0, read, 0, bytes);
    finished.push({ read, resolved, stamps });
  });
  wrap("GPUQueue", "submit", () => {}, () => {
    for (const f of finished.splice(0)) reading.push(readTimes(f));
  });
}

/** Reads one encoder's timestamps into its dispatches' ms. */
async function readTimes({ read, resolved, stamps }) {
  await real.mapAsync.call(read, GPUMapMode.READ);
  const t = new BigInt64Array(read.getMappedRange());
  stamps.dispatches.forEach((d, i) => {
    d.ms = Number(t[2 * i + 1] - t[2 * i]) / 1e6;
  });
  read.unmap();
  for (const b of [read, resolved]) b.destroy();
  stamps.querySet.destroy();
}

/** Writes a timestamp before a dispatch; returns its record, whose closing stamp follows it. */
function stampBefore(pass, name) {
  const encoder = encoderOf.get(pass);
  const device = encoder && deviceOf.get(encoder);
  if (!device) return null;
  let stamps = stampsOf.get(encoder);
  if (!stamps) {
    stamps = { querySet: device.createQuerySet({ type: "timestamp", count: QUERIES }), dispatches: [] };
    stampsOf.set(encoder, stamps);
  }
  if (stamps.dispatches.length * 2 + 2 > QUERIES) return null;
  const record = { name, ms: null, index: stamps.dispatches.length * 2 };
  stamps.dispatches.push(record);
  timedDispatches.push(record);
  pass.writeTimestamp(stamps.querySet, record.index);
  return { querySet: stamps.querySet, index: record.index + 1 };
}

/** Replaces `type.prototype.method` by one that calls `before(args)` and `after(result, args)`. */
function wrap(type, method, before, after = null) {
  const proto = globalThis[type]?.prototype;
  const original = proto?.[method];
  if (typeof original !== "function") return;
  proto[method] = function counted(...args) {
    before.call(this, args);
    const result = original.apply(this, args);
    after?.call(this, result, args);
    return result;
  };
}

/** A kernel's name: its label, or its entry point and a hash of its WGSL; and its workgroup size. */
function kernelName(descriptor) {
  const code = shaderOf.get(descriptor.compute.module)?.code ?? "";
  const size = code.match(/@workgroup_size\(\s*([^)]*)\)/)?.[1].split(",").map((n) => Number.parseInt(n, 10)) ?? [];
  const threads = size.reduce((a, n) => a * (Number.isFinite(n) ? n : 1), 1);
  let hash = 0;
  for (let i = 0; i < code.length; i++) hash = (Math.imul(hash, 31) + code.charCodeAt(i)) | 0;
  const label = descriptor.label || `${descriptor.compute.entryPoint ?? "main"}#${(hash >>> 0).toString(16)}`;
  return { name: `[${size.join("×") || "?"}] ${label}`, threads };
}

function countDispatch(kernel, [x, y = 1, z = 1]) {
  const groups = x * y * z;
  const invocations = groups * (kernel?.threads ?? 1);
  counts.workgroups += groups;
  counts.invocations += invocations;
  const name = kernel?.name ?? "unknown";
  const k = kernels.get(name) ?? { dispatches: 0, workgroups: 0, invocations: 0 };
  k.dispatches += 1;
  k.workgroups += groups;
  k.invocations += invocations;
  kernels.set(name, k);
}

/** writeBuffer(buffer, offset, data, dataOffset, size): offsets count elements of a typed array. */
function uploadBytes(data, dataOffset, size) {
  const unit = data.BYTES_PER_ELEMENT ?? 1;
  const length = ArrayBuffer.isView(data) ? data.byteLength / unit : data.byteLength;
  return (size ?? length - dataOffset) * unit;
}

function snapshot() {
  return { counts: { ...counts }, kernels: new Map([...kernels].map(([k, v]) => [k, { ...v }])), timed: timedDispatches.length };
}

/**
 * Calls per step between the last two readbacks, divided by `steps`. Both libraries' benchmarks
 * read the loss back once after the warm-up and once after the timed steps (src/bench.rs,
 * tfjs-peer.js), so this window is the timed loop and its final loss readback, nothing else.
 * Also each kernel's dispatches, workgroups and invocations per step, most invocations first.
 */
export async function readbackWindow(steps) {
  if (atReadback.length < 2) throw new Error("fewer than two readbacks were counted");
  const [before, after] = atReadback.slice(-2);
  await Promise.all(reading.splice(0));
  const kernelMs = new Map();
  let timedMs = 0;
  for (const d of timedDispatches.slice(before.timed, after.timed)) {
    if (d.ms == null) continue;
    kernelMs.set(d.name, (kernelMs.get(d.name) ?? 0) + d.ms);
    timedMs += d.ms;
  }
  const perStep = Object.fromEntries(Object.keys(after.counts).map((k) => [k, (after.counts[k] - before.counts[k]) / steps]));
  const byKernel = [...after.kernels].map(([name, k]) => {
    const b = before.kernels.get(name) ?? { dispatches: 0, workgroups: 0, invocations: 0 };
    const per = (key) => (k[key] - b[key]) / steps;
    return { name, dispatches: per("dispatches"), workgroups: per("workgroups"), invocations: per("invocations"), ms: (kernelMs.get(name) ?? 0) / steps };
  }).filter((k) => k.dispatches > 0);
  byKernel.sort((a, b) => b.ms - a.ms);
  return { ...perStep, kernel_ms: timedMs / steps, kernels: byKernel };
}
