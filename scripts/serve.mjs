// A minimal static file server for www/ on 127.0.0.1 (the page needs http: module workers and
// fetch do not work from file://). Used by scripts/serve.sh and the browser tests.
//
// node scripts/serve.mjs [port]    (port 0 picks a free one; the URL is printed either way)

import { createReadStream, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(fileURLToPath(new URL("../www/", import.meta.url)));
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm",
  ".png": "image/png", ".svg": "image/svg+xml",
};

const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".wasm", ".svg", ".safetensors"]);
const gzipped = new Map(); // path → {mtime, body}: each file compressed once per change

function compressed(file, stat) {
  const hit = gzipped.get(file);
  if (hit?.mtime === stat.mtimeMs) return hit.body;
  const body = gzipSync(readFileSync(file), { level: 6 });
  gzipped.set(file, { mtime: stat.mtimeMs, body });
  return body;
}

/** Serves www/ on `port`; `refuse` lists paths answered 404 (for tests: a file that fails to load). */
export function serve(port = 8000, { refuse = [] } = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = normalize(join(root, path.endsWith("/") ? path + "index.html" : path));
    let stat = null;
    try {
      stat = file.startsWith(root) && !refuse.includes(path) ? statSync(file) : null;
    } catch {}
    if (!stat?.isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    // Code and text go out gzip-compressed, as any static host sends them; .gz files are data
    // the page inflates itself, not a transfer encoding.
    if (COMPRESSIBLE.has(extname(file)) && /\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
      const body = compressed(file, stat);
      res.writeHead(200, { "content-type": type, "content-encoding": "gzip", "content-length": body.length, "cache-control": "no-cache", vary: "accept-encoding" });
      res.end(body);
      return;
    }
    res.writeHead(200, { "content-type": type, "content-length": stat.size, "cache-control": "no-cache" });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(port, "127.0.0.1", () => ok(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serve(Number(process.argv[2] ?? 8000));
  console.log(`webdistill: serving www/ on http://127.0.0.1:${server.address().port}/ (Ctrl-C stops)`);
}
