#!/usr/bin/env bash
# Builds the browser app: the wasm module (pkg/, an npm package) and the page's assets
# (www/generated/). Installs what is missing; incremental when nothing changed.
source "$(dirname "$0")/lib.sh"

ensure_npm
ensure_datasets
ensure_wasm_tools

# The page ships the `wasm-dist` profile (fat LTO: ~45% smaller). The tests build the `wasm`
# profile instead (WASM_PROFILE=wasm), which shares its compiled burn with the wasm tests: one
# compile of burn for wasm in CI instead of two.
profile="${WASM_PROFILE:-wasm-dist}"
say "cargo build (wasm32, profile $profile)"
cargo build --lib --target wasm32-unknown-unknown --profile "$profile" --no-default-features
raw="target/wasm32-unknown-unknown/$profile/webdistill.wasm"

if [ ! -f pkg/webdistill_bg.wasm ] || [ "$raw" -nt pkg/webdistill_bg.wasm ] || [ "$(cat pkg/.profile 2>/dev/null)" != "$profile" ]; then
  say "wasm-bindgen → pkg/"
  # No names section in what ships (panic messages keep their text; stack traces lose names).
  names=(); [ "$profile" = wasm ] || names=(--remove-name-section)
  wasm-bindgen --target web "${names[@]}" --out-dir pkg "$raw"
  echo "$profile" > pkg/.profile
  if [ "${WASM_OPT:-0}" != 0 ]; then
    # Optional: binaryen's npm build takes over ten minutes on this module on 2 cores, for a
    # few percent after LTO (docs/BENCHMARKS.md). Debian's wasm-opt is too old for the wasm
    # features rustc emits.
    say "wasm-opt -Oz (binaryen from npm; slow)"
    npx --no-install wasm-opt -Oz --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      pkg/webdistill_bg.wasm -o pkg/webdistill_bg.wasm
  fi
fi
cp assets/teacher*.safetensors assets/teacher*.json pkg/

mkdir -p www/generated/pkg
cp pkg/webdistill.js pkg/webdistill_bg.wasm www/generated/pkg/
# After the copy: the shell list it writes hashes the module as the page will fetch it.
node scripts/build-assets.mjs
say "built: pkg/ ($(du -h pkg/webdistill_bg.wasm | cut -f1) wasm) and www/generated/"
