// The results as files people can take away: the core's Comparison as JSON, and a CSV with one
// row per model. Only serialisation here; every number comes from the worker.

const COLUMNS = ["model", "architecture", "accuracy", "errors", "params", "bytes", "ms_per_image", "speedup",
  ...Array.from({ length: 10 }, (_, d) => `accuracy_digit_${d}`)];

/** The comparison as CSV (RFC 4180: fields with commas or quotes are quoted). */
export function comparisonCsv(c) {
  const quote = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));
  const lines = [COLUMNS.join(",")];
  for (const model of ["teacher", "distilled", "scratch"]) {
    const r = c[model];
    if (!r) continue;
    lines.push([model, r.architecture, r.accuracy, r.errors, r.params, r.bytes, r.ms_per_image, r.speedup,
      ...r.evaluation.per_class_accuracy].map(quote).join(","));
  }
  return `${lines.join("\n")}\n`;
}

/** Offers `text` as a download named `name`. */
export function download(name, text, type) {
  downloadBytes(name, text, type);
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
