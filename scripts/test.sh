#!/usr/bin/env bash
# Sets up what the tests need and runs every test.
source "$(dirname "$0")/lib.sh"

ensure_npm
say "native tests (cargo test --release: the same optimised dependencies as the CLI)"
cargo test --release
