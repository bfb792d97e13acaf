#!/usr/bin/env bash
# How long `make test` takes from a fresh clone, for a baseline commit and for HEAD, one
# after the other on this machine (docs/PERFORMANCE.md, "make test from a fresh clone").
# Each clone builds from nothing (its own target/); the crates.io downloads in
# CARGO_HOME are shared, as a CI cache would not be, so CI adds their download time.
# Usage: scripts/time-make-test.sh BASELINE_REV [OUT_DIR]
set -euo pipefail
base="${1:?the baseline commit}"
out="${2:-/tmp/uketsuke-timing}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out"
for rev in "$base" HEAD; do
  dir="$out/clone-$rev"
  rm -rf "$dir"
  git clone -q "$repo" "$dir"
  git -C "$dir" checkout -q "$(git -C "$repo" rev-parse "$rev")"
  start=$(date +%s)
  rc=0
  (cd "$dir" && CI=true make test) >"$out/$rev.log" 2>&1 || rc=$?
  echo "$rev $(git -C "$dir" rev-parse --short HEAD) rc=$rc secs=$(( $(date +%s) - start ))" | tee -a "$out/results.txt"
  rm -rf "$dir"
done
