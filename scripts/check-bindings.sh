#!/usr/bin/env bash
# Fail when the committed TypeScript bindings differ from what the Rust types generate now.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=ui/src/lib/bindings
bash scripts/bindings.sh
if ! git diff --exit-code --stat -- "$dir" || [ -n "$(git status --porcelain --untracked-files=all -- "$dir")" ]; then
  git status --short --untracked-files=all -- "$dir" >&2
  echo "check-bindings: $dir is out of date with the Rust types: run scripts/bindings.sh and commit the result" >&2
  exit 1
fi
echo "check-bindings: $dir is up to date"
