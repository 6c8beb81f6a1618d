#!/usr/bin/env bash
# The desktop app end to end: builds the UI and the app (debug), then drives the real window through
# WebDriver (tauri-driver + WebKitWebDriver) under Xvfb: the lab's lessons, an injection corpus, screenshots
# of every view into docs/screenshots. Needs no display of its own; all traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# tauri-driver is Tauri's WebDriver proxy; pinned so every machine drives the app the same way.
if ! command -v tauri-driver >/dev/null; then
  echo "== installing tauri-driver"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi
export PATH="$HOME/.cargo/bin:$PATH"

echo "== e2e: building the UI and the desktop app"
bash scripts/ui.sh dist
# The same build as the test suite's (`cargo test` builds the app's binary for its integration tests), so
# after scripts/test.sh's own build this compiles nothing; a plain `cargo build -p` would resolve features
# differently and recompile much of the dependency tree.
cargo test --locked --workspace --no-run --quiet

(cd tests/e2e && { [ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] ||
  npm install --no-audit --no-fund --loglevel=error; })

echo "== e2e: driving the window"
cd tests/e2e
if [ -n "${DISPLAY:-}" ] && [ -z "${CI:-}" ]; then
  npm test --silent
else
  # A private X server; -a picks a free display number.
  xvfb-run -a -s "-screen 0 1440x960x24 -nolisten tcp" npm test --silent
fi
