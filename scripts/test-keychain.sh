#!/usr/bin/env bash
# The keychain tests that write to a real OS keychain (ignored in the normal run), against a throwaway
# Secret Service: a private D-Bus session with gnome-keyring, its keyring in a temporary HOME. Not part of CI
# (it needs the gnome-keyring package: apt-get install --no-install-recommends gnome-keyring).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v gnome-keyring-daemon >/dev/null || ! command -v dbus-run-session >/dev/null; then
  echo "test-keychain: needs gnome-keyring-daemon and dbus-run-session (apt-get install gnome-keyring dbus)" >&2
  exit 1
fi
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
HOME="$home" XDG_DATA_HOME="$home/.local/share" dbus-run-session -- bash -c '
  printf throwaway | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test -p authlens-core --lib keychain -- --ignored
  cargo test -p authlens-desktop --test lab_run keychain -- --ignored
'
