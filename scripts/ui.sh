#!/usr/bin/env bash
# The desktop app's front end: install (from the lock file), typecheck, lint, and build ui/dist.
# `scripts/ui.sh test` runs its unit tests; `scripts/ui.sh dist` only builds ui/dist (what the app embeds).
set -euo pipefail
cd "$(dirname "$0")/../ui"
if ! command -v npm >/dev/null; then
  echo "ui: npm not found: install Node.js 20.19+ (Debian: the nodejs package from NodeSource, or nvm)" >&2
  exit 1
fi
# `npm install` with the committed lock installs the locked versions. Not `npm ci`: the lock written here
# holds only this platform's optional packages (rollup, esbuild), and `npm ci` refuses such a lock.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
case "${1:-build}" in
  build) npm run --silent check && npm run --silent lint && npm run --silent build ;;
  test) npm run --silent test ;;
  dist) npm run --silent build ;;
  *) echo "usage: scripts/ui.sh [build|test|dist]" >&2; exit 2 ;;
esac
