#!/usr/bin/env bash
# Benchmark (not a test): the release app's start time and memory beside a minimal Tauri window built with
# the same toolchain and dependency versions (scripts/bench/minimal-window). Under Xvfb, on this machine.
#   start:  launch -> first view painted (median of 7 after a warm-up)
#   memory: app + WebKit processes, Authlens after a lab run with >= 1,000 exchanges in its history
# Usage: bash scripts/bench-desktop.sh [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
command -v tauri-driver >/dev/null || cargo install tauri-driver --version 2.1.0 --locked --quiet
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/ui.sh dist
echo "== release build: Authlens, the CLI (to seed the history) and the minimal window"
cargo build --release --locked -p authlens-desktop -p authlens-bench-minimal -p authlens
target="${CARGO_TARGET_DIR:-target}/release"
(cd tests/e2e && { [ -d node_modules ] || npm install --no-audit --no-fund --loglevel=error; })

data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
echo "== seeding a history with >= 1,000 exchanges (the lab demo, all modes, repeatedly)"
# Rows in a table of the seeded history (0 before it exists).
count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(f"select count(*) from {sys.argv[2]}").fetchone()[0])' "$data/history.db" "$1" 2>/dev/null || echo 0; }
while [ "$(count exchanges)" -lt 1000 ]; do
  AUTHLENS_DATA_DIR="$data" "$target/authlens" demo --fail-on none >/dev/null 2>&1
done
echo "   $(count exchanges) exchanges in $(count runs) runs"

bench=(node scripts/bench/desktop.mjs --app "$target/authlens-desktop" --minimal "$target/authlens-bench-minimal" --data "$data" "$@")
if [ -n "${DISPLAY:-}" ]; then "${bench[@]}"; else xvfb-run -a -s "-screen 0 1440x960x24 -nolisten tcp" "${bench[@]}"; fi
