// The page's messages to its user: notices above the results (errors, information) and the
// one-line status. Every fallible path in the page ends here, so nothing fails silently.

const $ = (selector) => document.querySelector(selector);

/** Adds a notice; `kind` is "error" or "info". */
export function notice(text, kind) {
  const p = document.createElement("p");
  p.className = `notice ${kind}`;
  p.textContent = text;
  $("#notices").append(p);
}

/** Removes the error notices (a new run starts afresh; information stays). */
export function clearNotices() {
  for (const p of document.querySelectorAll("#notices .notice.error")) p.remove();
}

export function setStatus(text) {
  $("#status").textContent = text;
}
