// The service worker that lets the page work offline after one visit (issue 22). It keeps the
// page's shell, every file the page runs (HTML, scripts, styles, the CPU build of the wasm module,
// the asset manifest; the WebGPU build once a visit has fetched it), in a cache named by the
// build's content hash (generated/shell.js, written by scripts/build-assets.mjs), so a new build is fetched whole into a new cache and replaces the old
// one only when no tab runs the old one: never a mix of old and new. The data (teachers, MNIST)
// is kept by www/assets.js in its own cache, keyed by each file's SHA-256.
//
// Scope: the folder this file is served from. A page embedded in an iframe from the same folder
// is controlled the same way; an embed from another origin uses that origin's own worker.

importScripts("./generated/shell.js");

const { version, files, onFetch } = self.SHELL;
const CACHE = `webdistill-shell-${version}`;
const url = (file) => new URL(file, self.registration.scope).href;
const SHELL_URLS = new Set(files.map(url));
/** Files of this build fetched only by some visits (the WebGPU build): kept once fetched. */
const ON_FETCH_URLS = new Set(onFetch.map(url));

self.addEventListener("install", (event) => {
  // `reload`: the files as the server has them now, not an HTTP-cached older copy.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(files.map((f) => new Request(url(f), { cache: "reload" })))));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("webdistill-shell-") && n !== CACHE).map((n) => caches.delete(n)));
    // A first visit's page is taken over at once (there is no older version to mix with).
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const target = new URL(request.url);
  target.search = "";
  target.hash = "";
  // The page itself, however it is linked (`./`, `index.html`, with settings in the hash).
  const key = request.mode === "navigate" && target.href === url("./") ? url("index.html") : target.href;
  const later = ON_FETCH_URLS.has(key);
  if (!SHELL_URLS.has(key) && !later) return; // data and everything else: the network, as usual
  event.respondWith((async () => {
    const hit = await caches.match(key, { cacheName: CACHE });
    if (hit || !later) return hit ?? fetch(request);
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
    }
    return response;
  })());
});
