// Reading the benchmark's inputs in JS, for the TensorFlow.js peer: gzip IDX files and
// safetensors. (webdistill reads the same bytes in Rust.)

export async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not download ${url} (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

export async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The payload of an IDX file (after its header: 16 bytes for images, 8 for labels). */
export async function idxPayload(url) {
  const raw = await gunzip(await fetchBytes(url));
  const dims = raw[3];
  return raw.subarray(4 + 4 * dims);
}

/** An IEEE half (its 16 bits) as a number. */
function half(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** safetensors (F32 or F16) → Map name → {shape, data: Float32Array}. */
export function parseSafetensors(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const base = 8 + headerLength;
  const out = new Map();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [begin, end] = info.data_offsets;
    const copy = bytes.slice(base + begin, base + end); // aligned for typed arrays
    let data;
    if (info.dtype === "F32") data = new Float32Array(copy.buffer);
    else if (info.dtype === "F16") data = Float32Array.from(new Uint16Array(copy.buffer), half);
    else throw new Error(`${name}: dtype ${info.dtype}, expected F32 or F16`);
    out.set(name, { shape: info.shape, data });
  }
  return out;
}
