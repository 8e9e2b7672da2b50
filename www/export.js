// Results as files people can take away: the core's Comparison as JSON and a CSV with a row per
// model, the sweep as JSON and a CSV with a row per size. Only serialisation here; every number
// comes from the worker.

/** RFC 4180: fields with commas, quotes or newlines are quoted. */
const quote = (v) => (/[",\n]/.test(String(v ?? "")) ? `"${String(v).replaceAll('"', '""')}"` : String(v ?? ""));
const csv = (header, rows) => `${[header, ...rows].map((r) => r.map(quote).join(",")).join("\n")}\n`;

/** The comparison as CSV. */
export function comparisonCsv(c) {
  const header = ["model", "architecture", "accuracy", "errors", "params", "bytes", "ms_per_image", "ms_per_image_resolved",
    "speedup", ...c.teacher.evaluation.per_class_accuracy.map((_, k) => `accuracy_class_${k}`)];
  const rows = ["teacher", "assistant", "distilled", "scratch"].filter((m) => c[m]).map((m) => {
    const r = c[m];
    return [m, r.architecture, r.accuracy, r.errors, r.params, r.bytes, r.ms_per_image, r.ms_per_image_resolved, r.speedup,
      ...r.evaluation.per_class_accuracy];
  });
  return csv(header, rows);
}

/** The sweep as CSV: a row per student, the teacher first. */
export function sweepCsv(result) {
  const header = ["model", "kind", "architecture", "params", "bytes", "int8_bytes", "distilled_accuracy", "distilled_errors",
    "int8_accuracy", "scratch_accuracy", "scratch_errors", "ms_per_image"];
  const t = result.teacher;
  const rows = t ? [["teacher", "", t.architecture, t.params, t.bytes, "", t.accuracy, t.errors, "", "", "", t.ms_per_image]] : [];
  for (const r of result.rows) {
    rows.push(["student", r.kind, r.architecture, r.params, r.bytes, r.int8_bytes, r.distilled.accuracy, r.distilled.errors,
      r.int8_accuracy, r.scratch?.accuracy, r.scratch?.errors, r.distilled.ms_per_image]);
  }
  return csv(header, rows);
}

/** Offers `data` (text or bytes) as a download named `name`. */
export function downloadBytes(name, data, type) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The results' download buttons: `comparison()` and `sweep()` give what they save now. */
export function wireDownloads({ comparison, sweep }) {
  const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
  const on = (id, save) => document.querySelector(id).addEventListener("click", save);
  on("#download-json", () => downloadBytes("webdistill-results.json", json(comparison()), "application/json"));
  on("#download-csv", () => downloadBytes("webdistill-results.csv", comparisonCsv(comparison()), "text/csv"));
  on("#sweep-download-json", () => downloadBytes("webdistill-sweep.json", json(sweep()), "application/json"));
  on("#sweep-download-csv", () => downloadBytes("webdistill-sweep.csv", sweepCsv(sweep()), "text/csv"));
}
