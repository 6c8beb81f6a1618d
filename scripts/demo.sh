#!/usr/bin/env bash
# The main job. On a machine with a display: build and open the Authlens window (press "Run the lab" there).
# Headless (no DISPLAY / WAYLAND_DISPLAY), or with --cli: build the CLI and run its demo instead, the bundled
# lab in each mode through the full lifecycle, with the checklist. Extra arguments go to `authlens demo`
# (e.g. --cli --mode jwt --flaw no-rotation).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
target="${CARGO_TARGET_DIR:-target}/release"

cli=false
if [ "${1:-}" = "--cli" ]; then
  cli=true
  shift
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  [ "$cli" = true ] || echo "demo: no display here, so the desktop app cannot open: running the CLI demo instead" >&2
  cli=true
fi

if [ "$cli" = true ]; then
  cargo build --release --locked --bin authlens
  exec "$target/authlens" demo "$@"
fi

bash scripts/ui.sh dist
cargo build --release --locked -p authlens-desktop
echo "demo: opening Authlens; click \"Run the lab in session mode\" (or pick JWT / hybrid and flaw switches)" >&2
exec "$target/authlens-desktop"
