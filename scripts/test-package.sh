#!/usr/bin/env bash
# The package test: builds the .deb with the Tauri bundler (debug profile, reusing the
# tests' build; `make package` builds the release one), installs it with dpkg -i, and
# launches the installed binary under Xvfb through WebDriver (tests/e2e/tests/it/package.rs).
# Run by `make test` inside its Xvfb and keyring session.
set -euo pipefail
cd "$(dirname "$0")/.."
ui/node_modules/.bin/tauri build --debug --bundles deb
deb=$(ls -t target/debug/bundle/deb/*.deb | head -1)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO dpkg -i "$deb"
UKETSUKE_E2E=1 UKETSUKE_INSTALLED_APP=/usr/bin/uketsuke-app cargo test -p uketsuke-e2e --test it package::
