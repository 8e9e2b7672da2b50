// Fetches the static assets listed in generated/manifest.json, with download progress, and keeps
// them in the Cache API under their SHA-256, so a reload starts from the cache instantly and a
// rebuilt asset is fetched anew. Runs in the worker.

const BASE = new URL("./generated/", import.meta.url);
const CACHE = "webdistill-assets-v1";

/** The manifest: { files: { name: { bytes, sha256 } } }. Always fetched fresh. */
export async function loadManifest() {
  const response = await fetch(new URL("manifest.json", BASE), { cache: "no-cache" });
  if (!response.ok) throw new Error(`the asset manifest is missing (HTTP ${response.status}): was the page built?`);
  return response.json();
}

/**
 * Fetches `names` (files of the manifest), reporting `onProgress(loadedBytes, totalBytes)`; an
 * aborted `signal` stops it (an AbortError) between chunks. Returns a Map name → Uint8Array.
 */
export async function fetchAssets(manifest, names, onProgress, signal = undefined) {
  const total = names.reduce((n, name) => n + entry(manifest, name).bytes, 0);
  let loaded = 0;
  const cache = await openCache();
  const out = new Map();
  for (const name of names) {
    const { sha256 } = entry(manifest, name);
    const key = new URL(`${name}?sha256=${sha256}`, BASE);
    let bytes = cache && (await cache.match(key).then((r) => r && r.arrayBuffer()).catch(() => null));
    if (bytes) {
      loaded += bytes.byteLength;
      onProgress(loaded, total);
    } else {
      signal?.throwIfAborted();
      bytes = await download(new URL(name, BASE), name, (n) => onProgress(loaded + n, total), signal);
      loaded += bytes.byteLength;
      // A full or unavailable cache only costs the next reload a download.
      await cache?.put(key, new Response(bytes)).catch(() => {});
    }
    out.set(name, new Uint8Array(bytes));
  }
  return out;
}

function entry(manifest, name) {
  const e = manifest.files[name];
  if (!e) throw new Error(`asset ${name} is not in the manifest`);
  return e;
}

async function openCache() {
  try {
    return await caches.open(CACHE);
  } catch {
    return null; // no Cache API (e.g. an opaque origin): download every time
  }
}

async function download(url, name, onBytes, signal) {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`could not download ${name} (HTTP ${response.status} ${response.statusText})`);
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onBytes(received);
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes.buffer;
}
