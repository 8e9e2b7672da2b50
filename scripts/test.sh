#!/usr/bin/env bash
# Sets up what the tests need and runs every test: native, wasm in headless Chromium, and the
# page end to end. Screenshots of the final pages land in test-results/screenshots/.
source "$(dirname "$0")/lib.sh"

ensure_npm
ensure_chromium
# The `wasm` profile: it shares compiled burn with the wasm tests below (the page ships `wasm-dist`,
# the same code with fat LTO; scripts/build-web.sh).
WASM_PROFILE=wasm ./scripts/build-web.sh

say "native tests (release: training in a debug build of burn is ~30× slower)"
cargo test --release

say "wasm tests in headless Chromium, CPU and WebGPU backends"
CHROMEDRIVER="$(command -v chromedriver)" WASM_BINDGEN_TEST_TIMEOUT=900 \
  cargo test --target wasm32-unknown-unknown --profile wasm --no-default-features --test web

say "page end to end (playwright-core, Debian's Chromium)"
node --test --test-concurrency=1 tests/browser/
