#!/usr/bin/env bash
# The package test: bundles the .deb with the Tauri bundler from the debug binary the
# tests' `cargo build --workspace` made (`tauri bundle`, no second build; `make package`
# builds the release one), installs it with dpkg -i, and launches the installed binary
# under Xvfb through WebDriver (tests/e2e/tests/it/package.rs). The test runs as
# `--workspace`, with the features the tests were built with: a single package's
# features would rebuild half the dependencies (a minute on CI).
# Run by `make test` inside its Xvfb and keyring session.
set -euo pipefail
cd "$(dirname "$0")/.."
ui/node_modules/.bin/tauri bundle --debug --bundles deb
deb=$(ls -t target/debug/bundle/deb/*.deb | head -1)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO dpkg -i "$deb"
UKETSUKE_E2E=1 UKETSUKE_INSTALLED_APP=/usr/bin/uketsuke-app cargo test --workspace --test it package::
