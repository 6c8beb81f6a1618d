#!/usr/bin/env bash
# Every test: unit tests, the lab flaw matrix, hostile servers, CLI end to end, the UI's unit tests, and the
# desktop app driven through WebDriver under Xvfb.
# All traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Tests keep their lab certificate and history out of the user's data dir.
export AUTHLENS_DATA_DIR="${AUTHLENS_DATA_DIR:-$(mktemp -d)}"
status=0
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast || status=$?
else
  cargo test --workspace --locked --no-fail-fast || status=$?
fi
# The desktop UI's unit tests (vitest), including the injection corpus at component level.
bash scripts/ui.sh test || status=$?
# The desktop app end to end in a real window under Xvfb (WebDriver), with the app-level injection corpus.
bash scripts/e2e.sh || status=$?
exit $status
