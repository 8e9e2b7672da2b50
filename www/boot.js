// Starts the page: imports the controller and turns any failure to start (a module that throws at
// import, a script that does not load, a browser without what the page needs) into a message
// saying what failed and what to try, in place of "loading". Imports nothing itself, so nothing
// can stop it from running.

/** Shows a start-up failure where the status and notices are. */
export function startupFailed(what, error, advice) {
  const text = `${what}: ${error?.message ?? String(error)}.${advice ? ` ${advice}` : ""}`;
  const status = document.querySelector("#status");
  if (status) status.textContent = "failed to start";
  const notices = document.querySelector("#notices");
  if (notices) {
    const p = document.createElement("p");
    p.className = "notice error";
    p.textContent = text;
    notices.append(p);
  }
  console.error(text);
}

// Under a C or POSIX locale some engines report `navigator.language` as "C", which `Intl`
// rejects ("invalid language tag"); chart and number formatting would throw. Such a tag names no
// language, so format as plain English instead.
try {
  Intl.getCanonicalLocales(navigator.language);
} catch {
  try {
    Object.defineProperty(navigator, "language", { value: "en-US", configurable: true });
    Object.defineProperty(navigator, "languages", { value: ["en-US"], configurable: true });
  } catch {
    // A browser that refuses: formatting falls back per call (www/format.js).
  }
}

const NEEDS = [
  ["WebAssembly", () => typeof WebAssembly === "object"],
  ["module workers", () => typeof Worker === "function"],
];
const missing = NEEDS.filter(([, ok]) => !ok()).map(([name]) => name);
if (missing.length) {
  startupFailed("This browser cannot run the page", new Error(`it lacks ${missing.join(" and ")}`),
    "Try a current Chrome, Edge, Firefox or Safari.");
} else {
  import("./main.js").catch((error) =>
    startupFailed("The page's code failed to load", error, "Reload the page; if it happens again, try another browser."));
}
