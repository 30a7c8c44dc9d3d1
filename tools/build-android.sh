#!/usr/bin/env bash
# Builds the Android libraries into addons/webrtc_rs/bin/ under the names
# webrtc_rs.gdextension lists:
#   aarch64-linux-android -> bin/libwebrtc_rs.android.arm64.so
#   x86_64-linux-android  -> bin/libwebrtc_rs.android.x86_64.so
#
#   tools/build-android.sh
#
# Needs the Android NDK (r25 or later; ANDROID_NDK_HOME or ANDROID_NDK_ROOT
# naming it) and cargo-ndk (`cargo install cargo-ndk`); the Rust targets are
# added with rustup when missing. Not run by the test command: the NDK comes
# only from Google's servers (not Debian, PyPI, npm or crates.io, which are all
# this project's CI can reach), and without Android's C library (bionic) and
# its crt objects nothing links or runs here. API level 21 (Android 5) by
# default; ANDROID_API overrides it (match the export preset's Min SDK).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CARGO_BUILD_JOBS:-2}"
api="${ANDROID_API:-21}"
bin=addons/webrtc_rs/bin
target_dir="${CARGO_TARGET_DIR:-target}"
die() { echo "build-android: $*" >&2; exit 1; }

ndk="${ANDROID_NDK_HOME:-${ANDROID_NDK_ROOT:-}}"
[ -n "$ndk" ] && [ -d "$ndk/toolchains/llvm/prebuilt" ] \
  || die "set ANDROID_NDK_HOME to the Android NDK (https://developer.android.com/ndk/downloads)"
command -v cargo-ndk >/dev/null 2>&1 || die "cargo-ndk is needed: cargo install cargo-ndk"
for triple in aarch64-linux-android x86_64-linux-android; do
  rustup target list --installed | grep -qx "$triple" || rustup target add "$triple"
done

export ANDROID_NDK_HOME=$ndk
cargo ndk -t arm64-v8a -t x86_64 -P "$api" build -j"$jobs" --release -p webrtc-rs-godot
mkdir -p "$bin"
cp "$target_dir/aarch64-linux-android/release/libwebrtc_rs.so" "$bin/libwebrtc_rs.android.arm64.so"
cp "$target_dir/x86_64-linux-android/release/libwebrtc_rs.so" "$bin/libwebrtc_rs.android.x86_64.so"
ls -l "$bin"/libwebrtc_rs.android.*.so
echo "Remember the INTERNET permission in the Android export preset."
