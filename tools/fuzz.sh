#!/usr/bin/env bash
# Fuzzes every parser/validator of the backend with cargo-fuzz (libFuzzer).
#   tools/fuzz.sh [seconds per target]   (default 30: the CI mode; use 600+ for a real run)
# Uses the stable toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs -Z flags);
# installs cargo-fuzz when missing. Fails on any crash, panic or leak.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-30}"
export RUSTC_BOOTSTRAP=1 CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi
cargo fuzz build
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in $(cargo fuzz list); do
  # New inputs go to a scratch corpus; the committed seeds stay as they are.
  mkdir -p "$work/$target" "corpus/$target"
  echo "fuzz: $target for ${seconds}s"
  if ! cargo fuzz run "$target" "$work/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 >"$work/$target.log" 2>&1; then
    tail -n 40 "$work/$target.log"
    echo "fuzz: $target FAILED"
    exit 1
  fi
  grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$work/$target.log" || true
done
