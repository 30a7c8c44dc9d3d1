#!/usr/bin/env bash
# The one test command: builds everything, provisions Godot if $GODOT is not
# set, then runs formatting and lint checks, the Rust tests (ours and the
# vendored webrtc-rs crates' own), the packaging of
# the release zip (four platforms), the backend's tests under Wine, a short fuzzing run, the headless Godot tests (including a
# smoke test of the zip) and the short benchmark. Exits non-zero if
# anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "build the addon"
tools/build-addon.sh

step "cargo clippy --all-targets -- -D warnings"
cargo clippy -j2 --all-targets -- -D warnings

step "cargo test (backend, two real peers on loopback)"
cargo test -j2 --workspace

step "unit tests of the vendored, patched webrtc-rs crates"
tools/test-vendored.sh

step "package the addon: release builds for Linux x86_64, Windows x86_64, Linux arm64 and macOS, dist/*.zip"
# Checked by tests/scenarios/package_smoke.sh in the Godot tests below (the
# arm64 library also in arm64 Godot under qemu-user).
tools/package.sh --cross

step "Windows x86_64: the backend's tests and the bench, run under Wine"
tools/wine-test.sh

step "fuzz every parser for 30 s (cargo-fuzz)"
tools/fuzz.sh 30

step "provision Godot"
tools/provision-godot.sh

step "headless Godot tests"
tests/run_godot_tests.sh

step "benchmarks, short mode (fails if a row produced no number)"
tools/bench.sh --short

# The official plugin, where this machine has it (CI does): the same rows,
# interleaved, with ratios (noisy in short mode: shown, not judged).
official=../shared/anchor/webrtc_native
if [ -f "$official/webrtc_native.gdextension" ]; then
  step "benchmarks, short mode, against the official plugin ($official)"
  tools/bench.sh --short --against "$official"
fi
