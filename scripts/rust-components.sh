#!/usr/bin/env bash
# The Rust components the build and the lint need: rustfmt, and clippy, whose driver
# compiles our crates in `make` (the Makefile's RUSTC_WORKSPACE_WRAPPER).
set -euo pipefail
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
    echo "installing the Rust component $c" >&2
    rustup component add "$c" || { echo "the Rust component $c is missing and could not be installed" >&2; exit 1; }
  fi
done
