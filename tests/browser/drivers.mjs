// The two engines besides Chromium, behind one small interface: goto, run a function in the page
// (sync or awaiting a promise), wait until a function returns true, screenshot, close.
// - Firefox ESR (Debian's stock binary) through puppeteer-core, over WebDriver BiDi.
// - WebKitGTK (Safari's engine) through WebKitWebDriver, a W3C WebDriver server, under xvfb-run
//   (it needs a display); a plain HTTP client, since the protocol is a handful of JSON calls.

import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import puppeteer from "puppeteer-core";
import { SCREENSHOTS } from "./support.mjs";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` (a function run in the page) until it returns true. */
async function waitUntil(engine, check, { timeout = 60_000, args = [], what = String(check) } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await engine.eval(check, ...args)) return;
    if (Date.now() > deadline) {
      // What the page said meanwhile: a run that failed or stalled names itself here.
      const said = await engine.eval(() => ["#status", "#phase-text", "#notices"]
        .map((s) => `${s}: ${document.querySelector(s)?.textContent.trim() ?? "(none)"}`).join("; ")).catch(() => "(the page did not answer)");
      throw new Error(`timed out after ${timeout} ms waiting for ${what} (${said})`);
    }
    await sleep(250);
  }
}

export async function firefox({ lang = "en_US.UTF-8" } = {}) {
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX ?? "/usr/bin/firefox-esr",
    headless: true,
    env: { ...process.env, LANG: lang, LC_ALL: lang },
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const engine = {
    name: "firefox",
    goto: (url) => page.goto(url),
    eval: (fn, ...args) => page.evaluate(fn, ...args),
    waitFor: (fn, options) => waitUntil(engine, fn, options),
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
    },
    close: () => browser.close(),
  };
  return engine;
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function webkit({ lang = "en_US.UTF-8" } = {}) {
  const port = await freePort();
  const driver = spawn("xvfb-run", ["-a", process.env.WEBKIT_WEBDRIVER ?? "WebKitWebDriver", `--port=${port}`], {
    env: { ...process.env, LANG: lang, LC_ALL: lang, LANGUAGE: lang },
    stdio: ["ignore", "ignore", "pipe"],
    // Its own process group: xvfb-run is a shell script, and killing it alone would leave Xvfb and
    // WebKitWebDriver running, holding our stderr pipe open, so node would never exit.
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-driver.pid, "SIGTERM");
    } catch {
      // already gone
    }
    driver.stderr.destroy();
  };
  let log = "";
  driver.stderr.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (json.value?.error) throw new Error(`WebDriver ${path}: ${json.value.error}: ${json.value.message}`);
    return json.value;
  };
  let session = null;
  for (let i = 0; i < 80 && !session; i++) {
    try {
      session = await call("POST", "/session", {
        capabilities: { alwaysMatch: { "webkitgtk:browserOptions": { args: ["--automation"] } } },
      });
    } catch {
      await sleep(250);
    }
  }
  if (!session) {
    stop();
    throw new Error(`WebKitWebDriver did not start: ${log}`);
  }
  const id = session.sessionId;
  await call("POST", `/session/${id}/window/rect`, { width: 1280, height: 800 }).catch(() => {});
  const engine = {
    name: "webkit",
    goto: (url) => call("POST", `/session/${id}/url`, { url }),
    /** Runs `fn(...args)` in the page; a promise it returns is awaited. */
    eval: (fn, ...args) => call("POST", `/session/${id}/execute/async`, {
      script: `const done = arguments[arguments.length - 1];
        Promise.resolve((${fn}).apply(null, Array.from(arguments).slice(0, -1)))
          .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ error: String(e && e.message || e) }));`,
      args,
    }).then((r) => {
      if (r.error) throw new Error(r.error);
      return r.ok;
    }),
    waitFor: (fn, options) => waitUntil(engine, fn, options),
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      writeFileSync(`${SCREENSHOTS}/${name}.png`, Buffer.from(await call("GET", `/session/${id}/screenshot`), "base64"));
    },
    async close() {
      await call("DELETE", `/session/${id}`).catch(() => {});
      stop();
    },
  };
  return engine;
}
