#!/usr/bin/env bash
# Builds the extension for this machine (Linux x86_64) and puts it into
# addons/webrtc_rs/bin/, so that folder is the whole installable addon.
#   tools/build-addon.sh            debug entry only (what the editor and tests load;
#                                   built at opt-level 3, with debug assertions)
#   tools/build-addon.sh --release  debug and release entries
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CARGO_BUILD_JOBS:-2}"
bin=addons/webrtc_rs/bin
mkdir -p "$bin"

cargo build -j"$jobs" -p webrtc-rs-godot
cp target/debug/libwebrtc_rs.so "$bin/libwebrtc_rs.linux.x86_64.debug.so"

if [ "${1:-}" = "--release" ]; then
  cargo build -j"$jobs" -p webrtc-rs-godot --release
  cp target/release/libwebrtc_rs.so "$bin/libwebrtc_rs.linux.x86_64.so"
fi
ls -l "$bin"
