#!/usr/bin/env bash
# Builds what the benchmark needs (the page, the native CLI, Chromium) and runs it:
# webdistill vs TensorFlow.js in one headless Chromium, plus native. See docs/BENCHMARKS.md.
source "$(dirname "$0")/lib.sh"

ensure_npm
ensure_chromium
./scripts/build-web.sh
say "cargo build --release --bin webdistill (native peer)"
cargo build --release --bin webdistill
say "benchmark (several minutes: SwiftShader is a CPU pretending to be a GPU)"
node scripts/bench.mjs
