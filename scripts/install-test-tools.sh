#!/usr/bin/env bash
# Installs the tools the end-to-end tests drive the app with (from crates.io).
set -euo pipefail
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "installing tauri-driver"
  cargo install tauri-driver --locked --version '^2' --quiet
fi
