// Formatting for display. No computation beyond turning numbers into text.

export const pct = (x, digits = 2) => `${(x * 100).toFixed(digits)}%`;
export const int = (n) => Math.round(n).toLocaleString("en-US");
export function bytes(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} KB`;
  return `${n} B`;
}
export function ms(x) {
  if (x >= 100) return `${x.toFixed(0)} ms`;
  if (x >= 1) return `${x.toFixed(2)} ms`;
  return `${(x * 1000).toFixed(1)} µs`;
}
export function duration(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return "";
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}
export const backendName = (b) => (b === "webgpu" ? "WebGPU" : "CPU (WebAssembly)");
/** A setting as typed: f32 settings come back as e.g. 0.8999999761581421. */
export const setting = (x) => String(Number(x.toPrecision(6)));
