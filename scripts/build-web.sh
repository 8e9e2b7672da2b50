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

# Two builds of the module, the same API: pkg/ with WebGPU (burn-wgpu, the `webgpu` feature) and
# pkg/cpu/ with the CPU backend alone, a fifth of the size. The page starts on the CPU build and
# fetches the WebGPU one only when it wants WebGPU (www/worker-modules.js). Each build is
# linked to the same path, so each is bound (wasm-bindgen) before the other is built.
build_module() { # features out-dir
  local features="$1" out="$2"
  say "cargo build (wasm32, profile $profile, features: ${features:-none})"
  cargo build --lib --target wasm32-unknown-unknown --profile "$profile" --no-default-features ${features:+--features "$features"}
  local raw="target/wasm32-unknown-unknown/$profile/webdistill.wasm"
  local stamp="$profile ${features:-cpu}"
  if [ ! -f "$out/webdistill_bg.wasm" ] || [ "$raw" -nt "$out/webdistill_bg.wasm" ] || [ "$(cat "$out/.profile" 2>/dev/null)" != "$stamp" ]; then
    say "wasm-bindgen → $out/"
    # No names section in what ships (panic messages keep their text; stack traces lose names).
    local names=(); [ "$profile" = wasm ] || names=(--remove-name-section)
    wasm-bindgen --target web "${names[@]}" --out-dir "$out" "$raw"
    echo "$stamp" > "$out/.profile"
    if [ "${WASM_OPT:-0}" != 0 ]; then
      # Optional: binaryen's npm build takes over ten minutes on this module on 2 cores, for a
      # few percent after LTO (docs/BENCHMARKS.md). Debian's wasm-opt is too old for the wasm
      # features rustc emits.
      say "wasm-opt -Oz (binaryen from npm; slow)"
      npx --no-install wasm-opt -Oz --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
        --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
        "$out/webdistill_bg.wasm" -o "$out/webdistill_bg.wasm"
    fi
  fi
}
build_module "" pkg/cpu
build_module webgpu pkg
cp assets/teacher*.safetensors assets/teacher*.json pkg/

mkdir -p www/generated/pkg www/generated/pkg-cpu
cp pkg/webdistill.js pkg/webdistill_bg.wasm www/generated/pkg/
cp pkg/cpu/webdistill.js pkg/cpu/webdistill_bg.wasm www/generated/pkg-cpu/
# After the copy: the shell list it writes hashes the module as the page will fetch it.
node scripts/build-assets.mjs
say "built: pkg/ ($(du -h pkg/webdistill_bg.wasm | cut -f1) wasm; CPU build $(du -h pkg/cpu/webdistill_bg.wasm | cut -f1)) and www/generated/"
