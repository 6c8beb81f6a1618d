#!/usr/bin/env bash
# Build Authlens and run the demo: the bundled lab in each mode, the full lifecycle, the checklist.
# Extra arguments go to `authlens demo` (e.g. --mode jwt --flaw no-rotation).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo build --release --locked --bin authlens
exec ./target/release/authlens demo "$@"
