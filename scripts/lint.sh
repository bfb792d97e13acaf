#!/usr/bin/env bash
# The format and lint gates of `make test`: nothing is merged that rustfmt would
# change or that clippy warns about (workspace lints in Cargo.toml, clippy.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
    echo "installing the Rust component $c" >&2
    rustup component add "$c" || { echo "the Rust component $c is missing and could not be installed" >&2; exit 1; }
  fi
done
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
