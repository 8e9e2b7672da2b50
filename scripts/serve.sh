#!/usr/bin/env bash
# Sets up, builds and serves the page on http://127.0.0.1:8000 (PORT=... to change).
source "$(dirname "$0")/lib.sh"

./scripts/build-web.sh
exec node scripts/serve.mjs "${PORT:-8000}"
