#!/usr/bin/env bash
# Sets up what the tests need and runs every test: native, wasm in headless Chromium, and the
# page end to end in Chromium, Firefox ESR and WebKitGTK. Screenshots of the pages land in
# test-results/screenshots/.
source "$(dirname "$0")/lib.sh"

ensure_npm
ensure_datasets
ensure_onnxruntime
ensure_chromium
ensure_engines
# The `wasm` profile: it shares compiled burn with the wasm tests below (the page ships `wasm-dist`,
# the same code with fat LTO; scripts/build-web.sh).
WASM_PROFILE=wasm ./scripts/build-web.sh

timed() {
  local started=$SECONDS
  "$@"
  say "$(printf '%s: %d s' "$STEP" $((SECONDS - started)))"
}

STEP="native tests (release: training in a debug build of burn is ~30× slower)"
say "$STEP"
timed cargo test --release

STEP="the shipped wasm (both builds) has no relaxed-SIMD instruction (Safari rejects a module with one)"
say "$STEP"
timed node scripts/check-wasm.mjs pkg/webdistill_bg.wasm pkg/cpu/webdistill_bg.wasm

STEP="wasm tests in headless Chromium, CPU and WebGPU backends"
say "$STEP"
CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=900 \
  timed cargo test --target wasm32-unknown-unknown --profile wasm --no-default-features --features webgpu --test web

STEP="the page end to end in Chromium (playwright-core)"
say "$STEP"
timed node --test --test-concurrency=1 $(ls tests/browser/*.test.mjs | grep -v engines.test.mjs)

STEP="the page end to end in Firefox ESR and WebKitGTK"
say "$STEP"
timed node --test --test-concurrency=1 tests/browser/engines.test.mjs
