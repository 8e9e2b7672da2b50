// Formatting for display. No computation beyond turning numbers into text. Numbers are written in
// English whatever the browser's locale (a locale such as "C" is not a language `Intl` accepts).

const NUMBER = (() => {
  try {
    return new Intl.NumberFormat("en-US");
  } catch {
    return null;
  }
})();

export const pct = (x, digits = 2) => `${(x * 100).toFixed(digits)}%`;
export const int = (n) => (NUMBER ? NUMBER.format(Math.round(n)) : String(Math.round(n)));
export function bytes(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} KB`;
  return `${n} B`;
}
export function ms(x) {
  if (x >= 100) return `${x.toFixed(0)} ms`;
  if (x >= 1) return `${x.toFixed(2)} ms`;
  if (x >= 0.001) return `${(x * 1000).toFixed(1)} µs`;
  return `${(x * 1e6).toFixed(0)} ns`;
}
/** A measured time per image: the value, or "< bound" when the clock could not resolve it. */
export const time = (value, resolved) => (resolved ? ms(value) : `< ${ms(value)}`);
/** A ratio such as a speed-up: "10.8×", "130×", or "–" when there is none. */
export const times = (x) => (x == null ? "–" : `${x >= 100 ? x.toFixed(0) : x.toFixed(1)}×`);
export function duration(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return "";
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}
export const backendName = (b) => (b === "webgpu" ? "WebGPU" : "CPU (WebAssembly)");
/** A setting as typed: f32 settings come back as e.g. 0.8999999761581421. */
